package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.overlap.replicator.pipeline.Pipeline;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The source's schema changes during the overlap, as a Rails or Django deploy runs them, are followed by
 * the target at their place in the stream while the application keeps writing: add a nullable column,
 * give it a default, backfill it in batches, set it NOT NULL, index it, create a table with a foreign key
 * and fill it, rename a column, drop a column, create and drop a scratch table. The daemon is killed with
 * SIGKILL in the middle of the sequence, and part of the sequence runs while it is down. The target ends
 * with the source's rows and columns ({@code information_schema.columns}), and {@code overlap verify} finds
 * them equal; a table the migration leaves alone keeps the rows of the initial copy. Run per engine: {@link PostgresSchemaChangesIT}, {@link MariaDbSchemaChangesIT},
 * {@link MySqlSchemaChangesIT}.
 */
abstract class SchemaChangesCheck {
    private static final Duration CATCH_UP = Duration.ofSeconds(90);

    /** @return a new pair of databases on this engine's two servers */
    abstract DatabasePair pair(String prefix) throws Exception;

    /** @return the statement that makes {@code users.nickname} NOT NULL */
    abstract String setNotNull();

    /** @return the statement that indexes {@code users.nickname} (CONCURRENTLY where the engine can) */
    abstract String createIndex();

    /** @return the condition on {@code information_schema.columns} that picks this pair's tables */
    abstract String inThisDatabase();

    @Test
    void migrationSequenceUnderWriteLoadWithAKilledDaemon() throws Exception {
        DatabasePair pair = pair("ddl");
        pair.onBoth("CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL, name varchar(100))");
        pair.onBoth("CREATE TABLE settings (name varchar(40) PRIMARY KEY, setting varchar(100))");
        pair.onSource("INSERT INTO settings VALUES ('site', 'shop'), ('theme', 'dark')");
        for (int i = 1; i <= 300; i++) {
            pair.onSource("INSERT INTO users (id, email, name) VALUES (" + i + ", 'u" + i + "@example.com', 'user " + i + "')");
        }
        Path config = pair.writeConfig(pair.configYaml("apply:", "  max-batch-rows: 100"));
        Map<String, String> env = Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword());
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        AtomicInteger nextId = new AtomicInteger(1000);
        Thread writer = new Thread(() -> write(pair, writing, nextId, writerFailure), "app-writer");
        OverlapProcess daemon = OverlapProcess.start(env, "run", "--config", config.toString());
        try {
            awaitStreaming(pair, daemon);
            writer.start();
            pair.onSource("ALTER TABLE users ADD COLUMN nickname varchar(50)");
            pair.onSource("ALTER TABLE users ALTER COLUMN nickname SET DEFAULT 'none'");
            for (int from = 0; from < 1000; from += 100) {
                pair.onSource("UPDATE users SET nickname = 'nick' WHERE nickname IS NULL AND id > " + from + " AND id <= " + (from + 100));
            }
            pair.onSource("UPDATE users SET nickname = 'nick' WHERE nickname IS NULL");
            pair.onSource(setNotNull());
            pair.onSource(createIndex());
            awaitColumn(pair, "nickname");
            daemon.kill();

            pair.onSource("CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id),"
                    + " title varchar(100) NOT NULL)");
            for (int i = 1; i <= 50; i++) {
                pair.onSource("INSERT INTO posts VALUES (" + i + ", " + (1 + i % 300) + ", 'post " + i + "')");
            }
            pair.onSource("ALTER TABLE users RENAME COLUMN name TO full_name");
            daemon = OverlapProcess.start(env, "run", "--config", config.toString());
            for (int i = 51; i <= 100; i++) {
                pair.onSource("INSERT INTO posts VALUES (" + i + ", " + (1 + i % 300) + ", 'post " + i + "')");
            }
            pair.onSource("UPDATE users SET full_name = 'renamed' WHERE id <= 10");
            pair.onSource("ALTER TABLE users DROP COLUMN full_name");
            pair.onSource("CREATE TABLE scratch (id int PRIMARY KEY, note varchar(20))");
            pair.onSource("INSERT INTO scratch VALUES (1, 'a'), (2, 'b')");
            pair.onSource("DROP TABLE scratch");
            Thread.sleep(1000);
        } finally {
            writing.set(false);
            writer.join(30_000);
        }
        assertThat(writerFailure.get()).as("the application's writes").isNull();
        OverlapProcess running = daemon;
        Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP);
        assertThat(running.alive()).as("daemon alive; stderr: %s", running.stderr()).isTrue();
        assertThat(rows).containsKeys(listed(pair, "users"), listed(pair, "posts")).doesNotContainKey(listed(pair, "scratch"));
        assertThat(rows.get(listed(pair, "posts"))).hasSize(100);
        assertThat(rows.get(listed(pair, "settings"))).as("rows of the initial copy that nothing changed").hasSize(2);
        assertThat(columns(pair.target())).isEqualTo(columns(pair.source())).anyMatch(c -> c.contains("nickname"))
                .noneMatch(c -> c.contains("full_name"));
        assertThat(indexes(pair.target())).isEqualTo(indexes(pair.source())).contains("users.users_nickname_idx");
        OverlapProcess verify = OverlapProcess.start(env, "verify", "--config", config.toString());
        assertThat(verify.waitFor()).as("verify exit code; stdout: %s; stderr: %s", verify.stdout(), verify.stderr()).isZero();
        assertThat(running.terminate()).as("exit code after SIGTERM; stderr: %s", running.stderr()).isZero();
    }

    /**
     * The rest of the statements a deploy or a DBA runs, each between row changes, while the application writes:
     * a column's type widened, unique and check constraints added and dropped, an index created and dropped, a table
     * renamed, a table created from a query, a table truncated and filled again, a table without a key created and
     * written, and a parent whose foreign key cascades (on
     * MySQL/MariaDB the target must then cascade itself). The target ends with the source's rows, columns and
     * indexes.
     */
    @Test
    void otherStatementsUnderWriteLoad() throws Exception {
        DatabasePair pair = pair("ddl_more");
        pair.onBoth("CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL, name varchar(100))");
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        try (Pipeline pipeline = pair.startPipeline()) {
            UniqueKeysCheck.awaitStreaming(pair, pipeline);
            Thread writer = new Thread(() -> write(pair, writing, new AtomicInteger(1), writerFailure), "app-writer");
            writer.start();
            try {
                for (String statement : otherStatements()) {
                    pair.onSource(statement);
                }
            } finally {
                writing.set(false);
                writer.join(30_000);
            }
            assertThat(writerFailure.get()).as("the application's writes").isNull();
            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP, pipeline);
            assertThat(rows.get(listed(pair, "products"))).hasSize(52).contains(productRow());
            assertThat(rows).doesNotContainKey(listed(pair, "items"));
            assertThat(rows.get(listed(pair, "audit"))).hasSize(2);
            assertThat(rows.get(listed(pair, "top_products"))).as("a table created from a query, without a key").hasSize(11);
            assertThat(rows.get(listed(pair, "children"))).hasSize(4);
            assertThat(rows.get(listed(pair, "scratch"))).hasSize(1);
            assertThat(pipeline.failure()).isNull();
        }
        assertThat(columns(pair.target())).isEqualTo(columns(pair.source()));
        assertThat(indexes(pair.target())).isEqualTo(indexes(pair.source())).contains("products.items_code_key")
                .doesNotContain("products.items_n_idx");
    }

    /**
     * A statement the target refuses (here: the column it adds is there already, as when a DBA ran the migration
     * on the new host too) stops the pipeline with one line that names the statement's kind, its table, its position
     * and the fix, and no row after it is applied; the next start finds the statement done and goes on.
     */
    @Test
    void aStatementTheTargetRefusesStopsThePipelineUntilRestarted() throws Exception {
        DatabasePair pair = pair("ddl_refused");
        pair.onBoth("CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL, name varchar(100))");
        pair.onSource("INSERT INTO users (id, email) VALUES (1, 'a@example.com')");
        try (Pipeline pipeline = pair.startPipeline()) {
            UniqueKeysCheck.awaitStreaming(pair, pipeline);
            pair.onTarget("ALTER TABLE users ADD COLUMN nickname varchar(50)");
            pair.onSource("ALTER TABLE users ADD COLUMN nickname varchar(50)");
            pair.onSource("INSERT INTO users (id, email, nickname) VALUES (2, 'b@example.com', 'bee')");
            await().atMost(CATCH_UP).until(() -> pipeline.failure() != null);
            assertThat(pipeline.failure().getMessage()).contains("applying the source's ALTER TABLE on [").contains("users]")
                    .contains("change the target so that the statement can run there").doesNotContain("varchar(50)");
            assertThat(DatabasePair.rows(pair.target(), listed(pair, "users"))).hasSize(1);
        }
        try (Pipeline pipeline = pair.startPipeline()) {
            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP, pipeline);
            assertThat(rows.get(listed(pair, "users"))).hasSize(2);
        }
    }

    /**
     * @return the statements of {@link #otherStatementsUnderWriteLoad}: {@code items} (50 rows) widened, constrained and
     *         renamed to {@code products} (52 rows, among them {@link #productRow()}), {@code audit} without a key (2 rows
     *         left), {@code top_products} created from a query (11 rows), {@code parents} and {@code children} with ON
     *         DELETE CASCADE (4 children left), {@code scratch} truncated (1 row left)
     */
    private List<String> otherStatements() {
        List<String> statements = new ArrayList<>(createAndWidenItems());
        statements.addAll(List.of("ALTER TABLE items ADD CONSTRAINT items_code_key UNIQUE (code)",
                "ALTER TABLE items ADD CONSTRAINT items_n_check CHECK (n >= 0)",
                "UPDATE items SET n = n * 1000000000 WHERE id <= 5",
                "INSERT INTO items VALUES (51, 51, 'c51')",
                "ALTER TABLE items DROP CONSTRAINT items_n_check",
                "CREATE INDEX items_n_idx ON items (n)",
                dropIndex("items_n_idx", "items"),
                renameItemsToProducts(),
                "INSERT INTO products VALUES (52, 52, 'c52')",
                "CREATE TABLE top_products AS SELECT id, code FROM products WHERE id <= 10",
                "INSERT INTO top_products VALUES (100, 'c100')",
                "CREATE TABLE audit (at varchar(30), note varchar(20))",
                "INSERT INTO audit VALUES ('now', 'a'), ('now', 'b'), ('later', 'c')",
                "UPDATE audit SET note = 'changed' WHERE note = 'a'",
                "DELETE FROM audit WHERE note = 'b'",
                "CREATE TABLE parents (id int PRIMARY KEY, name varchar(20))",
                "CREATE TABLE children (id int PRIMARY KEY, parent_id int NOT NULL, FOREIGN KEY (parent_id) REFERENCES parents (id)"
                        + " ON DELETE CASCADE)",
                "INSERT INTO parents VALUES (1, 'a'), (2, 'b'), (3, 'c')",
                "INSERT INTO children VALUES (1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3)",
                "DELETE FROM parents WHERE id = 1",
                "CREATE TABLE scratch (id int PRIMARY KEY)",
                "INSERT INTO scratch VALUES (1), (2), (3)",
                "TRUNCATE TABLE scratch",
                "INSERT INTO scratch VALUES (4)"));
        return statements;
    }

    /**
     * @return the statements that create {@code items (id int PRIMARY KEY, n int NOT NULL, code varchar(20))}, fill it with
     *         ids 1..50 (n = id, code = 'c' || id) and widen {@code n} to bigint
     */
    abstract List<String> createAndWidenItems();

    /** @return the statement that drops index {@code name} of table {@code table} */
    abstract String dropIndex(String name, String table);

    /** @return the statement that renames table {@code items} to {@code products} */
    abstract String renameItemsToProducts();

    /** @return one row of {@code products} as {@link DatabasePair#rows} shows it: id 1, n 1000000000, code c1 */
    abstract String productRow();

    /**
     * A new pipeline whose target has none of the selected tables creates them from the source (the default of
     * {@code schema}) with their types, defaults, keys, constraints, indexes, sequences or AUTO_INCREMENT, comments
     * and foreign keys, copies the rows and streams: the target ends with the source's rows, columns and indexes.
     */
    @Test
    void aNewPipelineCreatesTheSchemaOnAnEmptyTarget() throws Exception {
        DatabasePair pair = pair("schema_copy");
        pair.onSource(sourceSchema());
        try (Pipeline pipeline = pair.startPipeline()) {
            UniqueKeysCheck.awaitStreaming(pair, pipeline);
            pair.onSource("INSERT INTO users (email, name, score) VALUES ('late@example.com', 'late', 7)");
            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP, pipeline);
            assertThat(rows.get(listed(pair, "users"))).hasSize(4);
            assertThat(rows.get(listed(pair, "orders"))).hasSize(2);
        }
        assertThat(columns(pair.target())).isEqualTo(columns(pair.source()));
        assertThat(indexes(pair.target())).isEqualTo(indexes(pair.source())).contains("users.users_name_idx");
        assertThat(comments(pair.target())).isEqualTo(comments(pair.source())).isNotEmpty();
    }

    /**
     * @return the schema and rows of {@link #aNewPipelineCreatesTheSchemaOnAnEmptyTarget}, made on the source only:
     *         {@code users} (3 rows, an index {@code users_name_idx}, comments) and {@code orders} (2 rows, a foreign key)
     */
    abstract String sourceSchema();

    /** @return the query of the table and column comments of the pair's tables, one text per row */
    abstract String commentQuery();

    private List<String> comments(Connection connection) throws SQLException {
        List<String> comments = new ArrayList<>();
        try (connection; Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(commentQuery())) {
            while (rs.next()) {
                comments.add(rs.getString(1));
            }
        }
        return comments;
    }

    /** The application: sign-ups and e-mail changes, on the columns every step of the migration keeps. */
    static void write(DatabasePair pair, AtomicBoolean writing, AtomicInteger nextId, AtomicReference<Throwable> failure) {
        try (Connection c = pair.source();
             PreparedStatement insert = c.prepareStatement("INSERT INTO users (id, email) VALUES (?, ?)");
             PreparedStatement update = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?")) {
            while (writing.get()) {
                int id = nextId.getAndIncrement();
                insert.setLong(1, id);
                insert.setString(2, "new" + id + "@example.com");
                insert.executeUpdate();
                update.setString(1, "changed" + id + "@example.com");
                update.setLong(2, 1 + ThreadLocalRandom.current().nextInt(300));
                update.executeUpdate();
                Thread.sleep(5);
            }
        } catch (SQLException | RuntimeException e) {
            failure.set(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitStreaming(DatabasePair pair, OverlapProcess daemon) {
        await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            assertThat(daemon.alive()).as("daemon alive; stderr: %s", daemon.stderr()).isTrue();
            return UniqueKeysCheck.streamingOffset(pair);
        });
    }

    private void awaitColumn(DatabasePair pair, String column) {
        await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> columns(pair.target()).stream().anyMatch(c -> c.contains(column)));
    }

    private static String listed(DatabasePair pair, String table) throws SQLException {
        return pair.sourceServer.jdbcUrl(pair.name).startsWith("jdbc:postgresql:") ? "public." + table : table;
    }

    /** @return each index of the pair's tables, as {@code table.index} */
    private List<String> indexes(Connection connection) throws SQLException {
        List<String> indexes = new ArrayList<>();
        try (connection; Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(indexQuery())) {
            while (rs.next()) {
                indexes.add(rs.getString(1) + "." + rs.getString(2));
            }
        }
        return indexes;
    }

    /** @return the query of each index of the pair's tables: table name, index name, ordered */
    abstract String indexQuery();

    /** @return each column of the pair's tables: table, name, position, type, nullability and default */
    private List<String> columns(Connection connection) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (connection; Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default"
                     + " FROM information_schema.columns WHERE " + inThisDatabase() + " AND table_name NOT LIKE 'overlap%'"
                     + " ORDER BY 1, 3")) {
            while (rs.next()) {
                columns.add(rs.getString(1) + "." + rs.getString(2) + " #" + rs.getInt(3) + " " + rs.getString(4) + " "
                        + rs.getString(5) + " " + rs.getString(6));
            }
        }
        return columns;
    }
}
