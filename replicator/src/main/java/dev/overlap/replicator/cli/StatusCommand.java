package dev.overlap.replicator.cli;

import dev.overlap.lag.StatusReport;
import dev.overlap.replicator.UserError;
import dev.overlap.replicator.config.ConfigLoader;
import dev.overlap.replicator.config.OverlapConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code overlap status}: asks the running daemon ({@code GET /status} on {@code metrics.listen}) for
 * state, lag, backlog, throughput and last error. Exits 0 when the daemon answers and is healthy,
 * 1 when it answers unhealthy or does not answer.
 */
@Command(name = "status", description = "Show the running daemon's state, lag, backlog, rows/s and last error.")
public final class StatusCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "path of overlap.yml")
    private Path config;

    @Option(names = "--json", description = "print the daemon's JSON status")
    private boolean json;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        OverlapConfig cfg = new ConfigLoader().load(config);
        HttpRequest request = DaemonRequest.to(cfg, config, "status", "/status").timeout(Duration.ofSeconds(10)).build();
        URI uri = request.uri();
        String body;
        try {
            HttpResponse<String> response = DaemonRequest.client(cfg)
                    .send(request, HttpResponse.BodyHandlers.ofString());
            DaemonRequest.checkAccepted(response, "status");
            body = response.body();
        } catch (ConnectException e) {
            spec.commandLine().getErr().println("overlap: no daemon answers at " + uri.getAuthority()
                    + "; is `overlap run` running with this config (metrics.listen)?");
            return ExitCode.FAILURE;
        } catch (IOException e) {
            throw new UserError("cannot read " + uri + ": " + e.getMessage());
        }
        StatusReport status = StatusReport.fromJson(body);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(body.strip());
        } else {
            out.println(human(status));
        }
        out.flush();
        return status.healthy() ? ExitCode.OK : ExitCode.FAILURE;
    }

    private static String human(StatusReport s) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "pipeline   %s (%s)%n", s.pipeline(),
                "reverse".equals(s.direction()) ? "reverse: new host back to old host, after promote" : "forward"));
        sb.append(String.format(Locale.ROOT, "state      %s (%s)%n", s.state(), s.healthy() ? "healthy" : "NOT healthy"));
        sb.append(String.format(Locale.ROOT, "lag        %.3f s (max %.3f s)%n", s.lagSeconds(), s.maxLagSeconds()));
        sb.append(String.format(Locale.ROOT, "backlog    %s%n", s.backlogBytes() < 0 ? "not probed yet" : String.format(Locale.ROOT, "%,d bytes", s.backlogBytes())));
        sb.append(String.format(Locale.ROOT, "throughput %,.0f rows/s (%,d events applied since %s)%n", s.rowsPerSecond(), s.eventsApplied(), s.startedAt()));
        sb.append(String.format(Locale.ROOT, "position   %s%n", s.position() == null ? "-" : s.position()));
        sb.append(String.format(Locale.ROOT, "last error %s", s.lastError() == null ? "none"
                : s.lastError().at() + " [" + s.lastError().kind() + "] " + s.lastError().message()));
        return sb.toString();
    }
}
