package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.replicator.pipeline.Pipeline;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every MySQL/MariaDB type the issue names round-trips exactly, through the initial snapshot and
 * through streaming; inserts, updates, deletes, primary-key changes, composite keys and tables
 * without a key reach the target as on the source. Equality is each server's own text of every column
 * (binary columns in hex), compared row by row. Run for MariaDB ({@link MariaDbTypesIT}) and MySQL
 * ({@link MySqlTypesIT}).
 */
abstract class BinlogTypesCheck {
    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    static final String ALL_TYPES = """
            CREATE TABLE all_types (
              id BIGINT UNSIGNED PRIMARY KEY,
              c_bool BOOLEAN, c_tiny TINYINT, c_utiny TINYINT UNSIGNED, c_small SMALLINT, c_usmall SMALLINT UNSIGNED,
              c_medium MEDIUMINT, c_umedium MEDIUMINT UNSIGNED, c_int INT, c_uint INT UNSIGNED, c_big BIGINT,
              c_ubig BIGINT UNSIGNED, c_dec DECIMAL(20,6), c_float FLOAT, c_double DOUBLE,
              c_char CHAR(10), c_varchar VARCHAR(100), c_text TEXT, c_longtext LONGTEXT,
              c_binary BINARY(4), c_varbinary VARBINARY(16), c_blob BLOB,
              c_date DATE, c_datetime DATETIME(6), c_timestamp TIMESTAMP(6) NULL, c_time TIME(6), c_year YEAR,
              c_enum ENUM('sad','ok','happy'), c_set SET('a','b','c'), c_json JSON, c_bit BIT(10), c_bit1 BIT(1)
            ) CHARACTER SET utf8mb4""";

    static final String ROWS = """
            INSERT INTO all_types VALUES
            (1, true, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808,
             18446744073709551615, 12345678901234.123456, 0.1, 1.7976931348623157e308,
             'ab', 'h\u00e9llo \u2713 \uD83D\uDE00 ''quoted'' \\\\ back', 'text \uD83D\uDE80', REPEAT('long \uD83D\uDE00 ', 5000),
             X'00ff1000', X'deadbeef', X'000102',
             '2024-02-29', '2024-01-01 12:34:56.123456', '2024-06-01 12:00:00.654321', '838:59:59.000000', 2155,
             'happy', 'a,c', '{"b": 1, "a": [1, 2, null]}', b'1000000001', b'1'),
            (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
            (3, false, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 9223372036854775808, -0.000001,
             -3.4e38, 5e-324, '', ' ', '', '', X'', X'', X'', '1000-01-01', '9999-12-31 23:59:59.999999',
             '1970-01-01 00:00:01.000000', '-12:00:00.500000', 1901, 'sad', '', '[]', b'0', b'0')""";

    /** @return a new pair of databases on this engine's two servers */
    abstract DatabasePair pair(String prefix) throws Exception;

    @Test
    void everyTypeRoundTripsThroughSnapshotAndStreaming() throws Exception {
        DatabasePair pair = pair("types");
        pair.onBoth(ALL_TYPES);
        pair.onSource(ROWS);
        try (Pipeline pipeline = pair.startPipeline()) {
            pair.awaitIdentical(CATCH_UP);
            pair.onSource("INSERT INTO all_types SELECT id + 10, c_bool, c_tiny, c_utiny, c_small, c_usmall, c_medium, c_umedium,"
                    + " c_int, c_uint, c_big, c_ubig, c_dec, c_float, c_double, c_char, c_varchar, c_text, c_longtext, c_binary,"
                    + " c_varbinary, c_blob, c_date, c_datetime, c_timestamp, c_time, c_year, c_enum, c_set, c_json, c_bit, c_bit1"
                    + " FROM all_types WHERE id <= 3");
            pair.onSource("UPDATE all_types SET c_dec = 0.5, c_varchar = 'changed \uD83D\uDE00', c_json = '{\"x\": [true]}',"
                    + " c_ubig = 18446744073709551614, c_bit = b'11', c_time = '-838:59:59' WHERE id = 1");
            pair.onSource("UPDATE all_types SET c_text = 'was null', c_blob = X'deadbeef', c_set = 'b' WHERE id = 2");
            pair.onSource("DELETE FROM all_types WHERE id = 13");
            pair.onSource("UPDATE all_types SET id = 103 WHERE id = 3");

            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP);
            assertThat(rows.get("all_types")).hasSize(5);
            assertThat(rows.get("all_types").toString()).contains("18446744073709551614").contains("\uD83D\uDE00");
            assertThat(pipeline.failure()).isNull();
        }
    }

    @Test
    void compositeKeysKeyOnlyAndKeylessTablesReplicateExactly() throws Exception {
        DatabasePair pair = pair("shapes");
        pair.onBoth("""
                CREATE TABLE order_lines (order_id INT, line INT, qty INT, PRIMARY KEY (order_id, line));
                CREATE TABLE product_tags (product_id INT, tag VARCHAR(20), PRIMARY KEY (product_id, tag));
                CREATE TABLE history (tid INT, delta INT, mtime DATETIME(6), doc JSON);
                """);
        pair.onSource("INSERT INTO product_tags VALUES (1, 'red'), (2, 'blue')");
        pair.onSource("INSERT INTO history VALUES (1, 5, '2024-01-01', '{\"a\": 1}'), (1, 5, '2024-01-01', '{\"a\": 1}'),"
                + " (2, 7, NULL, NULL)");
        try (Pipeline pipeline = pair.startPipeline()) {
            pair.awaitIdentical(CATCH_UP);
            pair.onSource("""
                    INSERT INTO order_lines VALUES (1, 1, 1), (1, 2, 2), (2, 1, 3);
                    UPDATE order_lines SET qty = 10 WHERE order_id = 1 AND line = 2;
                    UPDATE order_lines SET line = 5 WHERE order_id = 2 AND line = 1;
                    DELETE FROM order_lines WHERE order_id = 1 AND line = 1;
                    INSERT INTO history VALUES (1, 5, '2024-01-01', '{"a": 1}'), (3, NULL, NULL, '[1]');
                    UPDATE history SET delta = 6 WHERE tid = 1 LIMIT 1;
                    DELETE FROM history WHERE tid = 1 AND delta = 5 LIMIT 1;
                    DELETE FROM history WHERE tid = 3;
                    UPDATE history SET doc = '{"b": 2}' WHERE tid = 2;
                    INSERT INTO product_tags VALUES (1, 'green'), (3, 'red');
                    UPDATE product_tags SET tag = 'navy' WHERE product_id = 2;
                    DELETE FROM product_tags WHERE product_id = 1 AND tag = 'red';
                    """);
            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP);
            assertThat(rows.get("order_lines")).containsExactly("(1,2,10)", "(2,5,3)");
            assertThat(rows.get("history")).hasSize(3);
            assertThat(rows.get("product_tags")).containsExactly("(1,green)", "(2,navy)", "(3,red)");
            assertThat(pipeline.failure()).isNull();
        }
    }

    /**
     * Tables without a primary key but with a unique index over NOT NULL columns, which Debezium keys the
     * events by (the first such index of SHOW CREATE TABLE): every insert, update, key change and delete lands.
     */
    @Test
    void tablesKeyedByAUniqueIndexOfNotNullColumnsReplicate() throws Exception {
        DatabasePair pair = pair("uqkey");
        pair.onBoth("""
                CREATE TABLE tokens (token VARCHAR(64) NOT NULL, user_id INT, note TEXT, UNIQUE KEY uq_token (token));
                CREATE TABLE pairs (a INT NOT NULL, b INT NOT NULL, c INT, n INT, UNIQUE KEY uq_b (b), UNIQUE KEY uq_ac (a, c),
                                    UNIQUE KEY uq_a (a));
                """);
        pair.onSource("INSERT INTO tokens VALUES ('t1', 1, 'one'), ('t2', 2, 'two')");
        pair.onSource("INSERT INTO pairs VALUES (1, 10, NULL, 0), (2, 20, NULL, 0)");
        try (Pipeline pipeline = pair.startPipeline()) {
            pair.awaitIdentical(CATCH_UP, pipeline);
            pair.onSource("""
                    INSERT INTO tokens VALUES ('t3', 3, 'three');
                    UPDATE tokens SET note = 'changed' WHERE token = 't1';
                    UPDATE tokens SET token = 't2b', note = 'rotated' WHERE token = 't2';
                    DELETE FROM tokens WHERE token = 't3';
                    INSERT INTO tokens VALUES ('t3', 33, 'again');
                    INSERT INTO pairs VALUES (3, 30, 1, 0);
                    UPDATE pairs SET n = n + 1;
                    UPDATE pairs SET b = 11 WHERE a = 1;
                    UPDATE pairs SET a = 4 WHERE b = 20;
                    DELETE FROM pairs WHERE a = 3;
                    """);
            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP, pipeline);
            assertThat(rows.get("tokens")).containsExactly("(t1,1,changed)", "(t2b,2,rotated)", "(t3,33,again)");
            assertThat(rows.get("pairs")).containsExactly("(1,11,NULL,1)", "(4,20,NULL,1)");
            assertThat(pipeline.failure()).isNull();
        }
    }

    /** Virtual and stored generated columns: the target computes them, through the snapshot and streaming. */
    @Test
    void generatedColumnsAreComputedByTheTarget() throws Exception {
        DatabasePair pair = pair("generated");
        pair.onBoth("""
                CREATE TABLE order_items (id INT PRIMARY KEY, price DECIMAL(10,2), qty INT,
                                    total DECIMAL(12,2) AS (price * qty) STORED, label VARCHAR(20) AS (CONCAT('#', id)) VIRTUAL,
                                    KEY by_total (total));
                CREATE TABLE notes (body VARCHAR(20), size INT AS (LENGTH(body)) VIRTUAL);
                """);
        pair.onSource("INSERT INTO order_items (id, price, qty) VALUES (1, 2.50, 4), (2, 1.00, 1)");
        pair.onSource("INSERT INTO notes (body) VALUES ('a'), ('bb')");
        try (Pipeline pipeline = pair.startPipeline()) {
            pair.awaitIdentical(CATCH_UP, pipeline);
            pair.onSource("""
                    INSERT INTO order_items (id, price, qty) VALUES (3, 3.00, 3);
                    UPDATE order_items SET qty = 10 WHERE id = 1;
                    UPDATE order_items SET id = 20 WHERE id = 2;
                    DELETE FROM order_items WHERE id = 3;
                    INSERT INTO notes (body) VALUES ('ccc');
                    UPDATE notes SET body = 'dddd' WHERE body = 'a';
                    DELETE FROM notes WHERE body = 'bb';
                    """);
            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP, pipeline);
            assertThat(rows.get("order_items")).containsExactly("(1,2.50,10,25.00,#1)", "(20,1.00,1,1.00,#20)");
            assertThat(rows.get("notes")).containsExactly("(ccc,3)", "(dddd,4)");
            assertThat(pipeline.failure()).isNull();
        }
    }

    /**
     * Rows of megabytes in one transaction: the apply cuts its multi-row statements below the target's
     * max_allowed_packet (64 MiB here), so 20 rows of 4 MiB and one of 16 MiB replicate.
     */
    @Test
    void largeRowsReplicateInStatementsUnderMaxAllowedPacket() throws Exception {
        DatabasePair pair = pair("packet");
        pair.onBoth("CREATE TABLE files (id INT PRIMARY KEY, body LONGTEXT, data LONGBLOB)");
        try (Pipeline pipeline = pair.startPipeline()) {
            UniqueKeysCheck.awaitStreaming(pair, pipeline);
            try (java.sql.Connection c = pair.source(); java.sql.Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                for (int id = 1; id <= 20; id++) {
                    st.execute("INSERT INTO files VALUES (" + id + ", REPEAT('t', 4194304), REPEAT(UNHEX('00FF'), 1024))");
                }
                st.execute("INSERT INTO files VALUES (100, REPEAT('s', 16777216), NULL)");
                c.commit();
            }
            String digest = "SELECT CONCAT(COUNT(*), ' ', SUM(LENGTH(body)), ' ', SUM(CRC32(body)), ' ', SUM(CRC32(COALESCE(data, ''))))"
                    + " FROM files";
            String expected = single(pair.source(), digest);
            assertThat(expected).startsWith("21 " + (20L * 4194304 + 16777216));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        assertThat(pipeline.failure()).as("pipeline failure").isNull();
                        assertThat(single(pair.target(), digest)).isEqualTo(expected);
                    });
        }
    }

    /**
     * Zero dates under a permissive sql_mode, as WordPress writes them: 0000-00-00, 0000-00-00 00:00:00 and
     * zero-month or zero-day values in NOT NULL and nullable DATE, DATETIME and TIMESTAMP columns arrive on
     * the target exactly, through the snapshot and streaming, next to real NULLs and real 1970-01-01 values;
     * {@code overlap verify} finds the tables equal.
     */
    @Test
    void zeroDatesArriveExactly() throws Exception {
        DatabasePair pair = pair("zero_dates");
        pair.onBoth("""
                SET SESSION sql_mode = '';
                CREATE TABLE posts (id INT PRIMARY KEY, d DATE NOT NULL DEFAULT '0000-00-00', dn DATE NULL,
                  dt DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00', dtn DATETIME(6) NULL,
                  ts TIMESTAMP NOT NULL DEFAULT '0000-00-00 00:00:00', tsn TIMESTAMP NULL DEFAULT NULL, title VARCHAR(20));
                """);
        String permissive = "SET SESSION sql_mode = ''; ";
        pair.onSource(permissive + """
                INSERT INTO posts VALUES
                (1, '0000-00-00', '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', 'draft'),
                (2, '2020-00-15', '2020-05-00', '2020-00-00 10:00:00', '2021-07-00 01:02:03.456789', '2024-01-01 00:00:00', NULL, 'partial'),
                (3, '1970-01-01', NULL, '1970-01-01 00:00:00', NULL, '1970-01-01 00:00:01', NULL, 'real');
                """);
        try (Pipeline pipeline = pair.startPipeline()) {
            pair.awaitIdentical(CATCH_UP, pipeline);
            pair.onSource(permissive + """
                    INSERT INTO posts (id, title) VALUES (4, 'defaults');
                    INSERT INTO posts VALUES (5, '0000-00-00', NULL, '0000-00-00 00:00:00', '2020-02-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', 'new draft');
                    UPDATE posts SET title = 'edited' WHERE id = 1;
                    UPDATE posts SET dt = '2024-05-01 12:00:00', d = '2024-05-01', title = 'published' WHERE id = 5;
                    UPDATE posts SET dn = '0000-00-00', dtn = '0000-00-00 00:00:00', tsn = '0000-00-00 00:00:00' WHERE id = 3;
                    """);
            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP, pipeline);
            assertThat(rows.get("posts").get(0)).startsWith("(1,0000-00-00,0000-00-00,0000-00-00 00:00:00,0000-00-00 00:00:00")
                    .endsWith(",0000-00-00 00:00:00,0000-00-00 00:00:00,edited)");
            assertThat(pipeline.failure()).isNull();
        }
        java.nio.file.Path config = pair.writeConfig(pair.configYaml());
        OverlapProcess verify = OverlapProcess.start(Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword()),
                "verify", "--config", config.toString());
        assertThat(verify.waitFor()).as("verify exit code; stdout: %s; stderr: %s", verify.stdout(), verify.stderr()).isZero();
    }

    /**
     * Foreign keys with ON DELETE CASCADE, ON UPDATE CASCADE and ON DELETE SET NULL (Roundcube's and Rails'
     * schemas have them): InnoDB does not write the cascaded changes to the binlog, so the target cascades
     * itself, and ends with the source's rows.
     */
    @Test
    void cascadingForeignKeysCascadeOnTheTarget() throws Exception {
        DatabasePair pair = pair("cascade");
        pair.onBoth("""
                CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(20));
                CREATE TABLE identities (id INT PRIMARY KEY, user_id INT NOT NULL, email VARCHAR(40),
                  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE ON UPDATE CASCADE);
                CREATE TABLE notes (id INT PRIMARY KEY, user_id INT, body VARCHAR(20),
                  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE CASCADE);
                """);
        pair.onSource("INSERT INTO users VALUES (1, 'a'), (2, 'b'), (3, 'c'); INSERT INTO identities VALUES (10, 1, 'a@x'),"
                + " (11, 1, 'a2@x'), (20, 2, 'b@x'), (30, 3, 'c@x'); INSERT INTO notes VALUES (100, 1, 'n1'), (200, 2, 'n2')");
        try (Pipeline pipeline = pair.startPipeline()) {
            pair.awaitIdentical(CATCH_UP, pipeline);
            pair.onSource("""
                    DELETE FROM users WHERE id = 1;
                    UPDATE users SET id = 22 WHERE id = 2;
                    INSERT INTO users VALUES (1, 'reused');
                    INSERT INTO identities VALUES (12, 1, 'new@x');
                    UPDATE identities SET email = 'b2@x' WHERE user_id = 22;
                    DELETE FROM users WHERE id = 3;
                    """);
            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP, pipeline);
            assertThat(rows.get("identities")).containsExactly("(12,1,new@x)", "(20,22,b2@x)");
            assertThat(rows.get("notes")).containsExactly("(100,NULL,n1)", "(200,22,n2)");
            assertThat(pipeline.failure()).isNull();
        }
    }

    private static String single(java.sql.Connection connection, String sql) throws java.sql.SQLException {
        try (connection; java.sql.Statement st = connection.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
