package dev.overlap.bench;

import dev.overlap.it.DatabaseServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon ({@code overlap.jar run}, {@code -Xmx512m}) as a separate JVM on a free metrics port. Its peak
 * heap comes from its GC log ({@code -Xlog:gc}: the heap in use before each collection, which is where it
 * peaks) and its {@code /metrics} at the time asked, not from scraping {@code /metrics} many times a second,
 * which would cost the daemon CPU the figures are about (a scrape every 100 ms took as many CPU samples as
 * the initial copy's two workers).
 */
final class Daemon implements AutoCloseable {
    static final String PASSWORD_VARIABLE = "OVERLAP_BENCH_PASSWORD";
    static final String TOKEN_VARIABLE = "OVERLAP_BENCH_TOKEN";
    static final String TOKEN = "bench-token";
    /** JDBC URL options appended to the target URL, for experiments with driver settings, e.g. {@code ?cachePrepStmts=true} */
    private static final String TARGET_URL_OPTIONS = System.getProperty("overlap.bench.target-url-options", "");
    /** More JVM options of the daemon, space-separated, e.g. {@code -XX:StartFlightRecording=filename=/tmp/burst.jfr} to profile it */
    private static final String JVM_OPTIONS = System.getProperty("overlap.bench.jvm-options", "");
    /** A collection in the GC log: {@code … 120M->30M(512M) 3.456ms}, the heap in use before and after. */
    private static final Pattern COLLECTION = Pattern.compile(" (\\d+)([KMG])->\\d+[KMG]\\(\\d+[KMG]\\) ");
    private final Process process;
    private final Path log;
    private final Path gcLog;
    private final URI metrics;
    private final HttpClient http = HttpClient.newHttpClient();

    private Daemon(Process process, Path log, Path gcLog, int port) {
        this.process = process;
        this.log = log;
        this.gcLog = gcLog;
        this.metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
    }

    /**
     * Starts the daemon for database {@code db} of the two servers (pipeline {@code bench_<db>}).
     *
     * @param snapshot {@code initial} or {@code never}
     * @param extraYaml more overlap.yml lines, e.g. a promote section
     */
    static Daemon start(DatabaseServer source, DatabaseServer target, String db, String snapshot, String extraYaml) throws IOException {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String yaml = """
                pipeline: bench_%s
                source: {url: "%s", user: %s, password: "${env:%s}"}
                target: {url: "%s", user: %s, password: "${env:%s}"}
                snapshot: {mode: %s}
                metrics: {listen: "127.0.0.1:%d"}
                admin: {token: "${env:%s}"}
                """.formatted(db, source.jdbcUrl(db), source.superuser(), PASSWORD_VARIABLE, target.jdbcUrl(db) + TARGET_URL_OPTIONS,
                target.superuser(), PASSWORD_VARIABLE, snapshot, port, TOKEN_VARIABLE) + extraYaml;
        Path config = Files.createTempFile("overlap-bench", ".yml");
        Files.writeString(config, yaml);
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = Files.createTempFile("overlap-bench", ".log");
        Path gcLog = Files.createTempFile("overlap-bench-gc", ".log");
        Files.delete(gcLog); // the JVM creates it; one it finds is rotated away first
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-Xlog:gc:file=" + gcLog + "::filecount=0"));
        command.addAll(Arrays.stream(JVM_OPTIONS.split(" ")).filter(o -> !o.isBlank()).toList());
        command.addAll(List.of("-jar", System.getProperty("overlap.jar"), "run", "--config", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put(PASSWORD_VARIABLE, source.superuserPassword());
        builder.environment().put(TOKEN_VARIABLE, TOKEN);
        return new Daemon(builder.start(), log, gcLog, port);
    }

    /** @return the file the daemon's stdout and stderr go to */
    Path log() {
        return log;
    }

    void awaitSlot(DatabaseServer source, String db) throws Exception {
        try (Connection c = source.connect(db); Statement st = c.createStatement()) {
            for (int i = 0; i < 600; i++) {
                try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_replication_slots WHERE active AND slot_name = 'overlap_bench_" + db + "'")) {
                    if (rs.next()) {
                        return;
                    }
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the daemon did not start streaming within 60 s");
    }

    /**
     * Waits until the daemon applied its first streamed change event (its own heartbeat, written every
     * second; the initial copy's rows, {@code op="r"}, do not count): the change stream is then connected.
     * {@code /health} is not enough on a MySQL/MariaDB source, whose binlog reader connects a few seconds
     * after the endpoint reports streaming; rows written before it connects are not streamed with
     * {@code snapshot: never}, and with {@code snapshot: initial} they would wait for the connection and
     * count as lag.
     */
    void awaitFirstEvent() throws Exception {
        for (int i = 0; i < 1200; i++) {
            try {
                if (appliedEvents(false) > 0) {
                    return;
                }
            } catch (IOException e) {
                // the endpoint is not up yet
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the daemon exited with code " + process.exitValue());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the daemon applied no change within 120 s");
    }

    private String scrape() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** @return change events the daemon applied, the initial copy's rows included */
    long appliedEvents() throws IOException, InterruptedException {
        return appliedEvents(true);
    }

    /** @param copied whether the initial copy's rows ({@code op="r"}) count */
    private long appliedEvents(boolean copied) throws IOException, InterruptedException {
        return (long) sum("overlap_events_applied_total{", line -> copied || !line.contains("op=\"r\""));
    }

    /** @return the sum of the daemon's {@code /metrics} samples whose line starts with {@code series} and passes {@code which} */
    private double sum(String series, Predicate<String> which) throws IOException, InterruptedException {
        double total = 0;
        for (String line : scrape().split("\n")) {
            if (line.startsWith(series) && which.test(line)) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    /** @return seconds the daemon spent in apply transactions so far ({@code overlap_apply_batch_seconds_sum}) */
    double applySeconds() throws IOException, InterruptedException {
        return sum("overlap_apply_batch_seconds_sum{", line -> true);
    }

    /** @return whether {@code /health} answers 200 */
    boolean healthy() {
        try {
            return http.send(HttpRequest.newBuilder(metrics.resolve("/health")).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** @return the JSON report of {@code POST /promote} */
    String promote() throws IOException, InterruptedException {
        return admin("/promote");
    }

    /** @return the JSON report of {@code POST /rollback}, served after a promote while the daemon replicates back */
    String rollback() throws IOException, InterruptedException {
        return admin("/rollback");
    }

    private String admin(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(metrics.resolve(path)).POST(HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * @return the most heap in use so far, in bytes: the largest figure before a collection in the GC log, or the
     *         heap in use now ({@code jvm_memory_used_bytes{area="heap"}}) when that is more
     */
    long peakHeapBytes() throws IOException, InterruptedException {
        long peak = 0;
        for (String line : Files.exists(gcLog) ? Files.readAllLines(gcLog) : List.<String>of()) {
            Matcher m = COLLECTION.matcher(line);
            if (m.find()) {
                long unit = switch (m.group(2)) {
                    case "K" -> 1L << 10;
                    case "M" -> 1L << 20;
                    default -> 1L << 30;
                };
                peak = Math.max(peak, Long.parseLong(m.group(1)) * unit);
            }
        }
        return Math.max(peak, (long) sum("jvm_memory_used_bytes{", line -> line.contains("area=\"heap\"")));
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor(60, TimeUnit.SECONDS);
        Files.deleteIfExists(gcLog);
    }
}
