package dev.overlap.replicator.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.overlap.lag.LagMonitor;
import dev.overlap.lag.PipelineMetrics;
import dev.overlap.lag.StatusReport;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * The daemon's HTTP server, what operators and the cutover script talk to: {@code GET /metrics} (Prometheus text
 * exposition format 0.0.4) and {@code GET /health} (200 while streaming with lag below the threshold, 503 otherwise,
 * body: the state), open to Prometheus and load balancers; {@code GET /status} ({@link StatusReport} as JSON) and
 * the admin actions registered with {@link #admin} ({@code POST} only) need {@code Authorization: Bearer
 * <admin.token>}, compared in constant time: a wrong or missing token gets 401, no configured token 403, and
 * nothing runs. Over HTTPS when given a TLS context ({@code metrics.tls}). Served by the JDK's built-in HTTP server on a small pool of daemon threads, so a long admin
 * action does not block scrapes.
 */
public final class DaemonHttpServer implements AutoCloseable {
    private final HttpServer server;
    /** {@code Bearer <admin.token>}, or {@code null} when no token is configured. */
    private final byte[] expected;

    private DaemonHttpServer(HttpServer server, String token) {
        this.server = server;
        this.expected = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param listen address to bind, loopback unless configured otherwise; port 0 picks a free port
     * @param tls the TLS context to serve HTTPS with, or {@code null} for plain HTTP
     * @param metrics the pipeline's metrics
     * @param lag the pipeline's lag monitor
     * @param token {@code admin.token}, which {@code /status} and the admin actions need; {@code null} refuses them with 403
     * @return the running server
     * @throws BindException when the port is in use
     * @throws IOException when the server cannot start otherwise
     */
    public static DaemonHttpServer start(InetSocketAddress listen, SSLContext tls, PipelineMetrics metrics, LagMonitor lag,
                                         String token) throws IOException {
        HttpServer server;
        if (tls == null) {
            server = HttpServer.create(listen, 16);
        } else {
            HttpsServer https = HttpsServer.create(listen, 16);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        DaemonHttpServer daemon = new DaemonHttpServer(server, token);
        server.createContext("/metrics", exchange ->
                respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        server.createContext("/health", exchange -> {
            boolean healthy = lag.healthy();
            respond(exchange, healthy ? 200 : 503, "text/plain; charset=utf-8", String.format(java.util.Locale.ROOT,
                    "%s %s, lag %.3f s (max %.3f s)%n", metrics.direction(), metrics.stateLabel(), lag.lagSeconds(),
                    lag.maxLag().toMillis() / 1000.0));
        });
        server.createContext("/status", exchange -> {
            try (exchange) {
                if (daemon.authorized(exchange)) {
                    respond(exchange, 200, "application/json", StatusReport.of(metrics, lag).toJson() + "\n");
                }
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "overlap-metrics-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return daemon;
    }

    /** An admin action: runs on {@code POST}, answers with a status code and a JSON body. */
    @FunctionalInterface
    public interface AdminAction {
        /**
         * @param query the request's query string ({@code a=1&b=2}), or {@code null}
         * @return the answer
         */
        AdminResponse run(String query);
    }

    /**
     * @param status HTTP status code
     * @param json response body, a JSON document
     */
    public record AdminResponse(int status, String json) {
    }

    /**
     * Registers an admin action, which needs the bearer token.
     *
     * @param path e.g. {@code /promote}
     * @param action what runs
     */
    public void admin(String path, AdminAction action) {
        server.createContext(path, exchange -> {
            try (exchange) {
                if (!"POST".equals(exchange.getRequestMethod())) {
                    exchange.getResponseHeaders().set("Allow", "POST");
                    respond(exchange, 405, "application/json", "{\"error\":\"use POST\"}\n");
                } else if (authorized(exchange)) {
                    AdminResponse answer = action.run(exchange.getRequestURI().getRawQuery());
                    respond(exchange, answer.status(), "application/json", answer.json() + "\n");
                }
            }
        });
    }

    /** @return whether the request carries the bearer token; when not, the refusal (403 or 401) has been sent */
    private boolean authorized(HttpExchange exchange) throws IOException {
        if (expected == null) {
            respond(exchange, 403, "application/json", "{\"error\":\"admin.token is not configured\"}\n");
            return false;
        }
        if (!MessageDigest.isEqual(expected, String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"))
                .getBytes(StandardCharsets.UTF_8))) {
            respond(exchange, 401, "application/json", "{\"error\":\"wrong or missing bearer token\"}\n");
            return false;
        }
        return true;
    }

    /** @return the bound address (with the real port when 0 was asked for) */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
