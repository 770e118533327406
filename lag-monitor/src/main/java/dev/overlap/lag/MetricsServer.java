package dev.overlap.lag;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The daemon's HTTP endpoint: {@code GET /metrics} (Prometheus text exposition format 0.0.4),
 * {@code GET /health} (200 while streaming with lag below the threshold, 503 otherwise, body: the
 * state) and {@code GET /status} ({@link StatusReport} as JSON). Served by the JDK's built-in HTTP
 * server on one daemon thread.
 */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /**
     * @param listen address to bind, loopback unless configured otherwise; port 0 picks a free port
     * @param metrics the pipeline's metrics
     * @param lag the pipeline's lag monitor
     * @return the running server
     * @throws BindException when the port is in use
     * @throws IOException when the server cannot start otherwise
     */
    public static MetricsServer start(InetSocketAddress listen, PipelineMetrics metrics, LagMonitor lag) throws IOException {
        HttpServer server = HttpServer.create(listen, 16);
        server.createContext("/metrics", exchange ->
                respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        server.createContext("/health", exchange -> {
            boolean healthy = lag.healthy();
            respond(exchange, healthy ? 200 : 503, "text/plain; charset=utf-8", String.format(java.util.Locale.ROOT,
                    "%s, lag %.3f s (max %.3f s)%n", metrics.state().label(), lag.lagSeconds(), lag.maxLag().toMillis() / 1000.0));
        });
        server.createContext("/status", exchange ->
                respond(exchange, 200, "application/json", StatusReport.of(metrics, lag).toJson() + "\n"));
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "overlap-metrics-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return new MetricsServer(server);
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
