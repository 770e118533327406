package dev.overlap.it;

import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A daemon process replicating a pair, with its admin endpoint on a known port and an admin token, for the
 * tests that call {@code overlap promote}.
 *
 * @param process the {@code overlap run} process
 * @param config its configuration file
 * @param env the environment of it and of {@code overlap promote}: the passwords and the admin token
 */
record PromotingDaemon(OverlapProcess process, Path config, Map<String, String> env) {
    private static final String TOKEN = "promote-" + ProcessHandle.current().pid();

    /**
     * Starts the daemon and waits until it streams (it wrote an offset of its own after the initial copy's),
     * so heartbeats flow.
     *
     * @param yaml the pair's configuration, e.g. {@link DatabasePair#configYaml(String...)} with other users
     * @param extraLines configuration appended after the admin token, e.g. {@code promote:} and its keys; without a
     *        {@code reverse:} line, {@code promote.reverse: false} is added: the forward cutover, after which the daemon
     *        exits (the tests of the way back give {@code reverse: true})
     */
    static PromotingDaemon startWith(DatabasePair pair, String yaml, String... extraLines) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        List<String> lines = new ArrayList<>(List.of("admin:", "  token: ${env:OVERLAP_ADMIN_TOKEN}"));
        lines.addAll(forwardOnlyUnlessSaid(List.of(extraLines)));
        Path config = pair.writeConfig((yaml + "\n" + String.join("\n", lines)).replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:" + port));
        Map<String, String> env = Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword(), "OVERLAP_ADMIN_TOKEN", TOKEN);
        OverlapProcess process = OverlapProcess.start(env, "run", "--config", config.toString());
        URI health = URI.create("http://127.0.0.1:" + port + "/health");
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> UniqueKeysCheck.streamingOffset(pair));
        return new PromotingDaemon(process, config, env);
    }

    /** @return the lines with {@code promote.reverse: false} added unless they set it */
    static List<String> forwardOnlyUnlessSaid(List<String> lines) {
        if (lines.stream().anyMatch(l -> l.strip().startsWith("reverse:"))) {
            return lines;
        }
        List<String> with = new ArrayList<>(lines);
        int promote = with.indexOf("promote:");
        if (promote < 0) {
            with.addAll(List.of("promote:", "  reverse: false"));
        } else {
            with.add(promote + 1, "  reverse: false");
        }
        return with;
    }

    /** As {@link #startWith} with the pair's superusers. */
    static PromotingDaemon start(DatabasePair pair, String... extraLines) throws Exception {
        return startWith(pair, pair.configYaml(), extraLines);
    }

    /** @return a running {@code overlap promote --json} with these options */
    OverlapProcess promote(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("promote", "--config", config.toString(), "--json"));
        args.addAll(List.of(options));
        return OverlapProcess.start(env, args.toArray(String[]::new));
    }

    /** @return a running {@code overlap verify} with the daemon's configuration and environment */
    OverlapProcess verify() throws Exception {
        return OverlapProcess.start(env, "verify", "--config", config.toString());
    }

    /**
     * Kills the daemon if it still runs; on PostgreSQL drops the pair's inactive replication slots, on MySQL/MariaDB
     * returns the shared source server to writable.
     */
    void stop(DatabasePair pair) throws Exception {
        if (process.alive()) {
            process.kill();
        }
        String url = pair.sourceServer.jdbcUrl("x");
        if (url.startsWith("jdbc:postgresql")) {
            // the slots a promote left (the reverse direction's on the new host) would keep WAL on the shared servers
            for (Connection c : List.of(pair.source(), pair.target())) {
                try (c; Statement st = c.createStatement()) {
                    st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database()"
                            + " AND NOT active");
                }
            }
            return;
        }
        try (Connection c = pair.source(); Statement st = c.createStatement()) {
            if (!url.startsWith("jdbc:mariadb")) {
                st.execute("SET GLOBAL super_read_only = OFF");
            }
            st.execute("SET GLOBAL read_only = OFF");
        }
    }
}
