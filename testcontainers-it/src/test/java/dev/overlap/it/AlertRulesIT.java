package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped alert rules and dashboard are valid, and the rules fire as their unit tests say ({@code promtool test rules}). */
class AlertRulesIT {
    private static final Path OPS = Path.of("..", "ops").toAbsolutePath().normalize();

    @Test
    void alertRulesPassTheirUnitTests() throws Exception {
        String promtool = PrometheusTools.binary("promtool");

        PrometheusTools.Result check = PrometheusTools.exec(null, promtool, "check", "rules",
                OPS.resolve("prometheus/overlap-alerts.yml").toString());
        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 8 rules found");

        PrometheusTools.Result test = PrometheusTools.exec(null, promtool, "test", "rules",
                OPS.resolve("prometheus/overlap-alerts.test.yml").toString());
        assertThat(test.exit()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void dashboardIsJsonWithPanelsOnOurMetrics() throws Exception {
        var dashboard = new com.fasterxml.jackson.databind.ObjectMapper().readTree(OPS.resolve("grafana/overlap-dashboard.json").toFile());

        assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(10);
        assertThat(dashboard.toString()).contains("overlap_replication_lag_seconds", "overlap_source_backlog_bytes",
                "overlap_events_applied_total", "overlap_apply_batch_seconds_bucket", "overlap_errors_total");
    }
}
