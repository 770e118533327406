package dev.overlap.lag;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The metrics of one pipeline, registered on a Micrometer {@link PrometheusMeterRegistry} and tagged
 * {@code pipeline=<name>}. Names and meanings are those of DESIGN.md, "Metrics". Thread-safe: the
 * Applier records after each commit while the HTTP endpoint scrapes.
 */
public final class PipelineMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Tags tags;
    private final Timer batchTimer;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final AtomicReference<PipelineState> state = new AtomicReference<>(PipelineState.STARTING);

    /** @param pipeline the pipeline name, the {@code pipeline} tag of every metric */
    public PipelineMetrics(String pipeline) {
        this.tags = Tags.of("pipeline", pipeline);
        this.batchTimer = Timer.builder("overlap.apply.batch")
                .description("Time per apply transaction on the target")
                .tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        for (PipelineState s : PipelineState.values()) {
            Gauge.builder("overlap.state", state, current -> current.get() == s ? 1 : 0)
                    .description("1 for the pipeline's current state, 0 for the others")
                    .tags(tags.and("state", s.label()))
                    .register(registry);
        }
    }

    /** @return the registry, for further meters (JVM, connection pool) and for scraping */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** @param next the state the pipeline is now in */
    public void state(PipelineState next) {
        state.set(next);
    }

    /** @return the pipeline's current state */
    public PipelineState state() {
        return state.get();
    }

    /**
     * Counts applied change events ({@code overlap_events_applied_total}).
     *
     * @param table {@code schema.table}
     * @param op Debezium op code: r, c, u, d or t
     * @param rows how many events
     */
    public void applied(String table, String op, long rows) {
        counters.computeIfAbsent("applied|" + table + "|" + op, k -> Counter.builder("overlap.events.applied")
                .description("Change events applied to the target")
                .tags(tags.and("table", table, "op", op))
                .register(registry)).increment(rows);
        if (op.equals("r")) {
            counters.computeIfAbsent("snapshot|" + table, k -> Counter.builder("overlap.snapshot.rows")
                    .description("Rows copied by the initial snapshot")
                    .tags(tags.and("table", table))
                    .register(registry)).increment(rows);
        }
    }

    /** @return change events applied so far, all tables and ops (snapshot rows included) */
    public long appliedTotal() {
        return (long) registry.find("overlap.events.applied").counters().stream().mapToDouble(Counter::count).sum();
    }

    /** @param nanos duration of one committed apply transaction, ns */
    public void batchApplied(long nanos) {
        batchTimer.record(Duration.ofNanos(nanos));
    }

    /** @param kind short error class, e.g. {@code target_connection} or {@code fatal} */
    public void error(String kind) {
        counters.computeIfAbsent("error|" + kind, k -> Counter.builder("overlap.errors")
                .description("Errors, retried and fatal")
                .tags(tags.and("kind", kind))
                .register(registry)).increment();
    }

    /** @return the Prometheus text exposition of every meter */
    public String scrape() {
        return registry.scrape();
    }
}
