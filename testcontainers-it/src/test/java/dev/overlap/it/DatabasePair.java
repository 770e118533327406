package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.overlap.checksum.Databases;
import dev.overlap.lag.PipelineMetrics;
import dev.overlap.replicator.config.ConfigLoader;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.engine.Engine;
import dev.overlap.replicator.engine.Engines;
import dev.overlap.replicator.pipeline.Pipeline;
import dev.overlap.replicator.verify.PipelineWatermark;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A source database and a target database of the same name on the shared servers, with what the
 * tests do with them: write a config, run a pipeline in this JVM or as a daemon process, read rows
 * and wait until both sides hold the same rows.
 */
final class DatabasePair implements Databases {
    static final String PASSWORD_VARIABLE = "OVERLAP_TEST_PASSWORD";
    private static final AtomicInteger COUNTER = new AtomicInteger();

    final String name;
    final DatabaseServer sourceServer;
    final DatabaseServer targetServer;

    private DatabasePair(String name, DatabaseServer sourceServer, DatabaseServer targetServer) {
        this.name = name;
        this.sourceServer = sourceServer;
        this.targetServer = targetServer;
    }

    /**
     * @param prefix what the test is about; the databases and the pipeline get a unique name from it
     * @return a new pair of empty databases
     */
    static DatabasePair create(String prefix) throws SQLException {
        return create(prefix, Servers.source(), Servers.target());
    }

    /**
     * @param prefix what the test is about
     * @param sourceServer the old host (PostgreSQL, MariaDB or MySQL)
     * @param targetServer the new host, of the same engine
     * @return a new pair of empty databases
     */
    static DatabasePair create(String prefix, DatabaseServer sourceServer, DatabaseServer targetServer) throws SQLException {
        DatabasePair pair = new DatabasePair(prefix + "_" + COUNTER.incrementAndGet() + "_" + ProcessHandle.current().pid(),
                sourceServer, targetServer);
        pair.sourceServer.createDatabase(pair.name);
        pair.targetServer.createDatabase(pair.name);
        return pair;
    }

    Connection source() throws SQLException {
        return sourceServer.connect(name);
    }

    Connection target() throws SQLException {
        return targetServer.connect(name);
    }

    /** The verifier's connections: the superuser's, as {@link #source()} and {@link #target()}. */
    @Override
    public Connection openSource() throws SQLException {
        return source();
    }

    @Override
    public Connection openTarget() throws SQLException {
        return target();
    }

    /** Runs the same SQL on source and target (the schema, as pg_dump --schema-only would restore it). */
    void onBoth(String sql) throws SQLException {
        execute(source(), sql);
        execute(target(), sql);
    }

    static void execute(Connection connection, String sql) throws SQLException {
        try (connection; Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    void onSource(String sql) throws SQLException {
        execute(source(), sql);
    }

    /** Runs SQL on the target only, e.g. to corrupt it on purpose. */
    void onTarget(String sql) throws SQLException {
        execute(target(), sql);
    }

    /** @return a proxy to the target server, for a test that cuts the target off ({@link TcpProxy#cut}) */
    TcpProxy proxyToTarget() throws IOException {
        URI server = targetServerUri();
        return new TcpProxy(server.getHost(), server.getPort());
    }

    /** @return {@link #configYaml(String...)} with the target reached through the proxy */
    String configYaml(TcpProxy targetProxy, String... extraLines) {
        String url = targetServer.jdbcUrl(name);
        URI server = targetServerUri();
        return configYaml(extraLines).replace(url, url.replace(server.getHost() + ":" + server.getPort(), "127.0.0.1:" + targetProxy.port()));
    }

    private URI targetServerUri() {
        return URI.create(targetServer.jdbcUrl(name).substring("jdbc:".length()));
    }

    /** @return the config YAML of this pair's pipeline, with extra lines appended */
    String configYaml(String... extraLines) {
        return """
                pipeline: %s
                source:
                  url: %s
                  user: %s
                  password: ${env:%s}
                target:
                  url: %s
                  user: %s
                  password: ${env:%s}
                metrics:
                  listen: 127.0.0.1:0
                """.formatted(name, sourceServer.jdbcUrl(name), sourceServer.superuser(), PASSWORD_VARIABLE,
                targetServer.jdbcUrl(name), targetServer.superuser(), PASSWORD_VARIABLE) + String.join("\n", extraLines);
    }

    Path writeConfig(String yaml) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "it-configs"));
        Path file = dir.resolve(name + ".yml");
        Files.writeString(file, yaml);
        return file;
    }

    /** Starts the pipeline in this JVM; close it to stop. */
    Pipeline startPipeline(String... extraLines) {
        return startPipelineWith(configYaml(extraLines));
    }

    /**
     * Starts the pipeline in this JVM with the target reached through a proxy; close it to stop.
     *
     * @param urlOptions appended to the target's JDBC URL, e.g. {@code ?prepareThreshold=0}, or empty
     */
    Pipeline startPipeline(TcpProxy targetProxy, String urlOptions) {
        String yaml = configYaml(targetProxy);
        String url = yaml.lines().filter(l -> l.trim().startsWith("url:") && l.contains(":" + targetProxy.port() + "/"))
                .findFirst().orElseThrow();
        return startPipelineWith(yaml.replace(url, url + urlOptions));
    }

    /**
     * @return the watermark of this pair's pipeline, from its engine, as {@code overlap verify} builds it: the
     *         target connections are the superuser's
     */
    PipelineWatermark watermark() {
        OverlapConfig config = new ConfigLoader(Map.of(PASSWORD_VARIABLE, sourceServer.superuserPassword())::get)
                .parse(configYaml(), name + ".yml");
        try (Engine engine = Engines.connect(config)) {
            return engine.watermark(() -> {
                try {
                    return target();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    /** Starts the pipeline of the given config YAML in this JVM; close it to stop. */
    Pipeline startPipelineWith(String yaml) {
        OverlapConfig config = new ConfigLoader(Map.of(PASSWORD_VARIABLE, sourceServer.superuserPassword())::get)
                .parse(yaml, name + ".yml");
        Pipeline pipeline = new Pipeline(config, new PipelineMetrics(config.pipeline()));
        pipeline.start();
        return pipeline;
    }

    /**
     * @return every row of the table, sorted: PostgreSQL's text form of the record; on MySQL/MariaDB the
     *         server's text of each column (binary columns in hex), as {@code (a,b,NULL)}
     */
    static List<String> rows(Connection connection, String table) throws SQLException {
        if (!connection.getMetaData().getDatabaseProductName().equals("PostgreSQL")) {
            return binlogRows(connection, table);
        }
        List<String> rows = new ArrayList<>();
        try (connection; Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT t::text FROM " + table + " t ORDER BY 1")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private static List<String> binlogRows(Connection connection, String table) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (connection; Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
            java.sql.ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                java.util.StringJoiner row = new java.util.StringJoiner(",", "(", ")");
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    int type = meta.getColumnType(i);
                    boolean binary = type == java.sql.Types.BINARY || type == java.sql.Types.VARBINARY
                            || type == java.sql.Types.LONGVARBINARY || type == java.sql.Types.BLOB || type == java.sql.Types.BIT;
                    byte[] bytes = binary ? rs.getBytes(i) : null;
                    String text = binary ? (bytes == null ? null : "0x" + java.util.HexFormat.of().formatHex(bytes)) : rs.getString(i);
                    row.add(text == null ? "NULL" : text);
                }
                rows.add(row.toString());
            }
        }
        java.util.Collections.sort(rows);
        return rows;
    }

    /** @return the user tables of the source database, schema-qualified (on MySQL/MariaDB: the table name) */
    List<String> sourceTables() throws SQLException {
        List<String> tables = new ArrayList<>();
        if (!sourceServer.jdbcUrl(name).startsWith("jdbc:postgresql:")) {
            try (Connection c = source(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                         + " AND TABLE_NAME NOT LIKE 'overlap\\_%' ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            return tables;
        }
        try (Connection c = source(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables"
                     + " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND tablename NOT LIKE 'overlap\\_%' ORDER BY 1")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }

    /** @return every table's rows on one side */
    Map<String, List<String>> snapshot(boolean sourceSide) throws SQLException {
        Map<String, List<String>> all = new LinkedHashMap<>();
        for (String table : sourceTables()) {
            all.put(table, rows(sourceSide ? source() : target(), table));
        }
        return all;
    }

    /**
     * Waits until every table holds the same rows on both sides.
     *
     * @param timeout most time to wait
     * @return the rows, once equal
     * @throws org.awaitility.core.ConditionTimeoutException when they still differ after the timeout
     */
    Map<String, List<String>> awaitIdentical(Duration timeout) throws SQLException {
        return awaitIdentical(timeout, null);
    }

    /**
     * Waits until every table holds the same rows on both sides, or the pipeline running in this JVM fails.
     *
     * @param timeout most time to wait
     * @param pipeline the pipeline to watch, or {@code null}
     * @return the rows, once equal
     * @throws AssertionError when the pipeline failed or the rows still differ after the timeout
     */
    Map<String, List<String>> awaitIdentical(Duration timeout, Pipeline pipeline) throws SQLException {
        try {
            return await().atMost(timeout).pollInterval(Duration.ofMillis(250)).ignoreExceptionsMatching(e -> !(e instanceof AssertionError))
                    .until(() -> {
                        if (pipeline != null && pipeline.failure() != null) {
                            throw new AssertionError("the pipeline failed: " + pipeline.failure(), pipeline.failure());
                        }
                        Map<String, List<String>> source = snapshot(true);
                        return Objects.equals(source, snapshot(false)) ? source : null;
                    }, Objects::nonNull);
        } catch (ConditionTimeoutException e) {
            Map<String, List<String>> source = snapshot(true);
            assertThat(snapshot(false)).as("target rows %s after waiting", timeout).isEqualTo(source);
            return source;
        }
    }
}
