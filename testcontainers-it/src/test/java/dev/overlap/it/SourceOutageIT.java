package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The source host goes away mid-stream (a restart, an outage): every connection of the daemon to it is closed and
 * new ones are refused for 20 s while the application goes on writing on the source. The daemon stays up, and once
 * the source answers again it catches up with nothing lost or applied twice. It reaches the source through a
 * {@link TcpProxy}, which the test cuts.
 */
@Tag("slow")
class SourceOutageIT {
    private static final Duration OUTAGE = Duration.ofSeconds(20);

    @Test
    void postgresDaemonOutlivesTheSourceGoingAwayAndCatchesUp() throws Exception {
        outlivesTheSourceGoingAway(DatabasePair.create("srcoutage"));
    }

    @Test
    void mariadbDaemonOutlivesTheSourceGoingAwayAndCatchesUp() throws Exception {
        outlivesTheSourceGoingAway(DatabasePair.create("srcoutage", Servers.mariadbSource(), Servers.mariadbTarget()));
    }

    private static void outlivesTheSourceGoingAway(DatabasePair pair) throws Exception {
        pair.onBoth("CREATE TABLE events (id BIGINT PRIMARY KEY, note VARCHAR(40) NOT NULL)");
        pair.onSource("INSERT INTO events VALUES (1, 'before')");
        String url = pair.sourceServer.jdbcUrl(pair.name);
        URI server = URI.create(url.substring("jdbc:".length()));
        try (TcpProxy proxy = new TcpProxy(server.getHost(), server.getPort())) {
            Path config = pair.writeConfig(pair.configYaml().replace(url,
                    url.replace(server.getHost() + ":" + server.getPort(), "127.0.0.1:" + proxy.port())));
            OverlapProcess daemon = OverlapProcess.start(Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword()),
                    "run", "--config", config.toString());
            try {
                await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> UniqueKeysCheck.streamingOffset(pair));
                pair.onSource("INSERT INTO events VALUES (2, 'streamed')");
                pair.awaitIdentical(Duration.ofSeconds(60));

                proxy.cut();
                long end = System.nanoTime() + OUTAGE.toNanos();
                for (int id = 3; System.nanoTime() < end; id++) {
                    pair.onSource("INSERT INTO events VALUES (" + id + ", 'during the outage')");
                    pair.onSource("UPDATE events SET note = 'moved' WHERE id = " + (id - 1));
                    Thread.sleep(200);
                }
                assertThat(daemon.alive()).as("daemon after %s without the source: %s", OUTAGE, daemon.stderr()).isTrue();

                proxy.restore();
                pair.awaitIdentical(Duration.ofSeconds(120));
                assertThat(daemon.alive()).as(daemon.stderr()).isTrue();
                assertThat(daemon.terminate()).as(daemon.stderr()).isZero();
            } finally {
                if (daemon.alive()) {
                    daemon.kill();
                }
            }
        }
    }
}
