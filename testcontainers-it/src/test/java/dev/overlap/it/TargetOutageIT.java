package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The target host goes away for a minute during the overlap (a restart, a network outage): the daemon
 * waits with the batch uncommitted, reports itself unhealthy while the lag grows, and catches up by
 * itself when the target is back, with nothing lost or applied twice. The daemon reaches the target
 * through a {@link TcpProxy}, which the test cuts.
 */
@Tag("slow")
class TargetOutageIT {
    private static final Duration OUTAGE = Duration.ofSeconds(60);

    @Test
    void daemonOutlivesAMinuteWithoutTheTargetAndCatchesUp() throws Exception {
        DatabasePair pair = DatabasePair.create("outage");
        pair.onBoth("CREATE TABLE events (id bigint PRIMARY KEY, note text NOT NULL)");
        pair.onSource("INSERT INTO events SELECT i, 'before ' || i FROM generate_series(1, 1000) i");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        try (TcpProxy proxy = pair.proxyToTarget()) {
            Path config = pair.writeConfig(pair.configYaml(proxy).replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:" + port));
            OverlapProcess daemon = OverlapProcess.start(Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword()),
                    "run", "--config", config.toString());
            try {
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> health(port) == 200);
                pair.awaitIdentical(Duration.ofSeconds(30));

                proxy.cut();
                long end = System.nanoTime() + OUTAGE.toNanos();
                int id = 1000;
                while (System.nanoTime() < end) {
                    id++;
                    pair.onSource("INSERT INTO events VALUES (" + id + ", 'during the outage'); UPDATE events SET note = 'moved' WHERE id = "
                            + (id - 1000));
                    Thread.sleep(200);
                }
                assertThat(daemon.alive()).as("daemon after %s without the target: %s", OUTAGE, daemon.stderr()).isTrue();
                assertThat(health(port)).as("health while the target is away").isEqualTo(503);
                assertThat(daemon.stderr()).contains("the target is unreachable");

                proxy.restore();
                pair.awaitIdentical(Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> health(port) == 200);
                assertThat(daemon.terminate()).isZero();
            } finally {
                if (daemon.alive()) {
                    daemon.kill();
                }
            }
        }
    }

    private static int health(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
