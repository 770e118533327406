package dev.overlap.replicator.cli;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.config.OverlapConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** A request of a command to the running daemon's endpoints that need {@code admin.token} ({@code /status}, {@code /promote}). */
final class DaemonRequest {
    private DaemonRequest() {
    }

    /**
     * @param cfg the pipeline's configuration
     * @param file where it was read from, for the message
     * @param command the command's name, for the message
     * @param pathAndQuery e.g. {@code /status}
     * @return a request to the daemon on {@code metrics.listen} with the bearer token
     * @throws UserError when {@code admin.token} is not set
     */
    static HttpRequest.Builder to(OverlapConfig cfg, Path file, String command, String pathAndQuery) {
        if (cfg.adminToken() == null) {
            throw new UserError(file + ": admin.token is not set; " + command + " needs it, e.g. admin: {token: ${env:OVERLAP_ADMIN_TOKEN}}");
        }
        return HttpRequest.newBuilder(cfg.daemonUri(pathAndQuery)).header("Authorization", "Bearer " + cfg.adminToken().reveal());
    }

    /**
     * @param cfg the pipeline's configuration
     * @return a client for the daemon: over HTTPS accepting only the certificate of {@code metrics.tls} when that is set
     */
    static HttpClient client(OverlapConfig cfg) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (cfg.metricsTls() != null) {
            builder.sslContext(cfg.metricsTls().pinnedClientContext());
        }
        return builder.build();
    }

    /**
     * @param response the daemon's answer
     * @throws UserError when the daemon refused the token (HTTP 401, or 403 when it has none)
     */
    static void checkAccepted(HttpResponse<String> response, String command) {
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new UserError("the daemon refused admin.token (HTTP " + response.statusCode() + "); give " + command
                    + " the same admin.token as the running daemon");
        }
    }
}
