package dev.overlap.replicator.cli;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.config.ConfigLoader;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.engine.Engine;
import dev.overlap.replicator.engine.Engines;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.promote.PromoteReport;
import dev.overlap.replicator.promote.PromotionGuard;
import dev.overlap.replicator.promote.PromotionStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What {@code overlap promote} and {@code overlap rollback} share: ask the running daemon to cut over one direction
 * ({@code POST /promote} or {@code /rollback} with the bearer {@code admin.token}) and wait for its report. Exit codes:
 * 0 promoted (also when it already was) or dry run passed; 4 aborted with the direction's source writable again; 1
 * failed after the point of no return, or no daemon answers; 2 bad config or token.
 *
 * <p>When the daemon dies during the call, the command itself rolls back the freeze it left (the
 * state is in the direction's target's {@code overlap_promotions}) and reports {@code aborted}.
 */
abstract class CutoverCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "path of overlap.yml")
    private Path config;

    @Option(names = "--dry-run", description = "PRECHECK and a fence round trip without freezing; reports the expected write downtime")
    private boolean dryRun;

    @Option(names = "--keep-slot", description = "keep the source's replication slot and publication after promoting")
    private boolean keepSlot;

    @Option(names = "--json", description = "print the report as JSON")
    private boolean json;

    @Spec
    private CommandSpec spec;

    /** @return the command's name, e.g. {@code promote} */
    abstract String name();

    /**
     * @param written the configuration as written
     * @return the configuration of the direction this command promotes
     */
    abstract OverlapConfig direction(OverlapConfig written);

    @Override
    public Integer call() throws Exception {
        OverlapConfig cfg = direction(new ConfigLoader().load(config));
        HttpRequest request = DaemonRequest.to(cfg, config, name(), "/" + name() + "?dry_run=" + dryRun + "&keep_slot=" + keepSlot)
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(cfg.promote().timeout().plus(Duration.ofMinutes(10))).build();
        URI uri = request.uri();
        HttpResponse<String> response;
        try {
            response = DaemonRequest.client(cfg)
                    .send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            Optional<PromoteReport> done = storedPromotion(cfg);
            if (done.isPresent()) {
                return print(done.get());
            }
            spec.commandLine().getErr().println("overlap: no daemon answers at " + uri.getAuthority()
                    + "; start `overlap run` with this config, then " + name());
            return ExitCode.FAILURE;
        } catch (IOException e) {
            return daemonLost(cfg, e);
        }
        DaemonRequest.checkAccepted(response, name());
        if (response.statusCode() == 404) {
            spec.commandLine().getErr().println("overlap: the daemon at " + uri.getAuthority() + " does not serve " + name() + " now: "
                    + (name().equals("rollback") ? "it replicates forward, and a rollback follows a promote with promote.reverse"
                    : "it replicates back after a promote; use overlap rollback"));
            return ExitCode.USAGE;
        }
        if (response.statusCode() != 200) {
            spec.commandLine().getErr().println("overlap: the daemon answered HTTP " + response.statusCode() + ": " + response.body().strip());
            return ExitCode.FAILURE;
        }
        return print(PromoteReport.fromJson(response.body()));
    }

    private int daemonLost(OverlapConfig cfg, IOException cause) throws SQLException {
        Optional<PromoteReport> done = storedPromotion(cfg);
        if (done.isPresent()) {
            return print(done.get());
        }
        PromotionGuard.Interrupted found;
        try (Engine engine = Engines.connect(cfg)) {
            found = PromotionGuard.finishInterrupted(cfg, new PromotionStore(cfg.pipeline(), engine.dialect()), engine.cutover());
        }
        if (found == PromotionGuard.Interrupted.PROMOTED) {
            return print(storedPromotion(cfg).orElseThrow());
        }
        spec.commandLine().getErr().println("overlap: the daemon stopped answering during " + name() + " (" + cause.getMessage() + "); "
                + (found == PromotionGuard.Interrupted.ROLLED_BACK ? "the source was frozen and is writable again"
                : "the source was not frozen") + "; " + name() + " aborted");
        return ExitCode.PROMOTE_ABORTED;
    }

    private Optional<PromoteReport> storedPromotion(OverlapConfig cfg) {
        try (Engine engine = Engines.connect(cfg); Connection c = Connections.open(cfg.target())) {
            return new PromotionStore(cfg.pipeline(), engine.dialect()).load(c)
                    .filter(p -> "promoted".equals(p.state()) && p.report() != null)
                    .map(p -> PromoteReport.fromJson(p.report()));
        } catch (SQLException | UserError e) {
            return Optional.empty();
        }
    }

    private int print(PromoteReport report) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(report.toJson());
        } else {
            out.printf("%s %s: %s (state %s)%n", name(), report.pipeline(), report.outcome(), report.state());
            report.steps().forEach(step -> out.printf("  %-14s %6d ms%n", step.state(), step.ms()));
            if (report.writeDowntimeMs() != null) {
                out.printf("write downtime: %d ms%n", report.writeDowntimeMs());
            }
            if (report.expectedWriteDowntimeMs() != null) {
                out.printf("expected write downtime: %d ms%n", report.expectedWriteDowntimeMs());
            }
            if (report.error() != null) {
                out.println("error: " + report.error());
            }
            if (report.warnings() != null) {
                report.warnings().forEach(w -> out.println("warning: " + w));
            }
        }
        out.flush();
        return exitCode(report);
    }

    /** @return the exit code of a report: 0 promoted or dry run, 4 aborted, 1 failed */
    private static int exitCode(PromoteReport report) {
        return switch (report.outcome()) {
            case "promoted", "dry_run" -> ExitCode.OK;
            case "aborted" -> ExitCode.PROMOTE_ABORTED;
            default -> ExitCode.FAILURE;
        };
    }
}
