package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.overlap.checksum.MySqlChecksumDialect;
import dev.overlap.checksum.ReplicationWatermark;
import dev.overlap.checksum.RowDifference;
import dev.overlap.checksum.TableName;
import dev.overlap.checksum.TableReport;
import dev.overlap.checksum.Verifier;
import dev.overlap.checksum.VerifyOptions;
import dev.overlap.checksum.VerifyProgress;
import dev.overlap.checksum.VerifyReport;
import dev.overlap.replicator.verify.PipelineWatermark;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code overlap verify} on real MySQL/MariaDB servers ({@link MySqlChecksumDialect}), after
 * {@link VerifyIT}: equal data compares equal (JSON key order and white space, CHAR padding), and
 * every single corruption of the target — a changed value of each type, NULL ↔ {@code ''}, a
 * DATETIME(6) moved by 1 µs, a FLOAT moved by 3 ulps, a DECIMAL scale change, deleted, extra and
 * swapped rows, on integer, composite, varchar and binary keys — is found and its key and column
 * named, in the library and through the real {@code overlap.jar}. Run for MariaDB
 * ({@link MariaDbVerifyIT}, every case) and MySQL ({@link MySqlVerifyIT}, a subset).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BinlogVerifyCheck {
    private static final String TYPES = """
            CREATE TABLE types (id INT PRIMARY KEY, c_tiny TINYINT, c_bool BOOLEAN, c_int INT, c_ubig BIGINT UNSIGNED,
              c_dec DECIMAL(12,4), c_float FLOAT, c_double DOUBLE, c_char CHAR(8), c_varchar VARCHAR(40), c_text TEXT,
              c_binary BINARY(4), c_varbinary VARBINARY(16), c_blob BLOB, c_date DATE, c_dt DATETIME(6), c_ts TIMESTAMP(6) NULL,
              c_time TIME(6), c_year YEAR, c_enum ENUM('sad','ok','happy'), c_set SET('a','b','c'), c_json JSON, c_bit BIT(10)
            ) CHARACTER SET utf8mb4""";
    /** 1..1000 without recursive CTEs or sequence tables, the same on MySQL and MariaDB. */
    private static final String NUMBERS = "(SELECT a.d * 100 + b.d * 10 + c.d + 1 AS i FROM digits a, digits b, digits c) n";
    private static final String FILL = """
            INSERT INTO types SELECT i, i % 100, i % 2, i * 3, CAST(9223372036854775807 AS UNSIGNED) + i * 1000000007, i / 7,
              i / 3, i / 7, CONCAT('ch', i), CONCAT('varchar ', i), CASE WHEN i % 10 = 0 THEN NULL ELSE CONCAT('text ', i) END,
              UNHEX(LPAD(HEX(i), 8, '0')), UNHEX(MD5(i)), UNHEX(MD5(i + 1)), DATE '2024-01-01' + INTERVAL i DAY,
              TIMESTAMP '2024-01-01 00:00:00.123456' + INTERVAL i HOUR, TIMESTAMP '2024-01-01 00:00:00.5' + INTERVAL i MINUTE,
              ADDTIME('00:00:00.250000', SEC_TO_TIME(i * 37)), 1901 + i, ELT(1 + i % 3, 'sad', 'ok', 'happy'),
              ELT(1 + i % 3, 'a', 'a,b', 'c'), JSON_OBJECT('a', i, 'b', 'x'), i FROM NUMBERS WHERE i <= 200""".replace("NUMBERS", NUMBERS);
    private DatabasePair pair;

    /** @return a new pair of databases on this engine's two servers */
    abstract DatabasePair pair(String prefix) throws Exception;

    /** @return whether the servers are MariaDB */
    abstract boolean mariadb();

    @BeforeAll
    void schema() throws Exception {
        pair = pair("verify");
        pair.onBoth("CREATE TABLE digits (d INT PRIMARY KEY)");
        pair.onBoth("INSERT INTO digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)");
        pair.onBoth(TYPES);
        pair.onBoth("CREATE TABLE composite (tenant INT, code VARCHAR(20), qty INT, PRIMARY KEY (tenant, code))");
        pair.onBoth("CREATE TABLE by_text (name VARCHAR(40) PRIMARY KEY, v INT)");
        pair.onBoth("CREATE TABLE by_binary (id BINARY(16) PRIMARY KEY, v INT)");
        pair.onBoth("CREATE TABLE empty_one (id BIGINT PRIMARY KEY, v TEXT)");
        pair.onBoth("CREATE TABLE no_key (at INT, line TEXT)");
        pair.onBoth("CREATE TABLE scale (id INT PRIMARY KEY, amount DECIMAL(10,2))");
    }

    @BeforeEach
    void sameData() throws SQLException {
        for (String table : List.of("types", "composite", "by_text", "by_binary", "empty_one", "no_key", "scale")) {
            pair.onBoth("DELETE FROM " + table);
        }
        pair.onBoth("ALTER TABLE scale MODIFY amount DECIMAL(10,2)");
        pair.onBoth(FILL);
        pair.onBoth("INSERT INTO composite SELECT i % 5, CONCAT('code-', i), i FROM " + NUMBERS + " WHERE i <= 300");
        pair.onBoth("INSERT INTO by_text SELECT CONCAT('name ', i), i FROM " + NUMBERS + " WHERE i <= 300");
        pair.onBoth("INSERT INTO by_binary SELECT UNHEX(MD5(CONCAT('u', i))), i FROM " + NUMBERS + " WHERE i <= 300");
        pair.onBoth("INSERT INTO no_key SELECT i, CONCAT('line ', i) FROM " + NUMBERS + " WHERE i <= 100");
        pair.onBoth("INSERT INTO scale SELECT i, i / 4 FROM " + NUMBERS + " WHERE i <= 50");
    }

    private VerifyReport verify(boolean rows, ReplicationWatermark watermark, String... tables) throws SQLException, InterruptedException {
        return verify(pair, mariadb(), rows, watermark, Stream.of(tables).map(t -> new TableName(pair.name, t)).toList(), 37);
    }

    /** @param firstChunk rows in the first chunk (small, so that tests cross chunk boundaries and bisect) */
    static VerifyReport verify(DatabasePair pair, boolean mariadb, boolean rows, ReplicationWatermark watermark, List<TableName> tables,
                               int firstChunk) throws SQLException, InterruptedException {
        VerifyOptions options = new VerifyOptions(2, Duration.ofMillis(500), firstChunk, rows, 8, 50, 3, Duration.ofSeconds(30));
        try (VerifyProgress progress = VerifyProgress.forOutput(false)) {
            return new Verifier(new MySqlChecksumDialect(mariadb), pair, options, watermark, progress).verify(tables);
        }
    }

    @Test
    void equalTablesAreEqual() throws Exception {
        VerifyReport report = verify(true, null, "types", "composite", "by_text", "by_binary", "empty_one", "no_key", "scale");
        assertThat(report.tables()).allSatisfy(t -> assertThat(t.equal()).as(t.toString()).isTrue());
        assertThat(report.sourceRows()).isEqualTo(200 + 300 * 3 + 100 + 50);
        TableReport types = report.tables().get(0);
        assertThat(types.chunks()).as("at least 3 chunks: 37, then each at most twice the last (fewer rows when a chunk ran slow)")
                .isGreaterThanOrEqualTo(3);
        assertThat(report.tables().get(4).sourceRows()).as("empty table").isZero();
        assertThat(report.tables().get(5).note()).contains("no primary key");
    }

    @Test
    void equivalentJsonAndCharPaddingCompareEqual() throws Exception {
        DatabasePair.execute(pair.target(), "UPDATE types SET c_json = '{ \"b\" : \"x\",   \"a\": 5 }', c_char = 'ch5     ' WHERE id = 5");
        assertThat(verify(true, null, "types").equal()).isTrue();
    }

    /** @return every corruption: the statement run on the target and the column it changes */
    Stream<Arguments> corruptions() {
        return Stream.of(
                Arguments.of("UPDATE types SET c_tiny = c_tiny + 1 WHERE id = 7", "c_tiny"),
                Arguments.of("UPDATE types SET c_bool = 1 - c_bool WHERE id = 7", "c_bool"),
                Arguments.of("UPDATE types SET c_int = c_int + 1 WHERE id = 7", "c_int"),
                Arguments.of("UPDATE types SET c_ubig = c_ubig - 1 WHERE id = 7", "c_ubig"),
                Arguments.of("UPDATE types SET c_dec = c_dec + 0.0001 WHERE id = 7", "c_dec"),
                Arguments.of("UPDATE types SET c_float = c_float * 1.0000003 WHERE id = 7", "c_float"),
                Arguments.of("UPDATE types SET c_double = c_double + 1e-12 WHERE id = 7", "c_double"),
                Arguments.of("UPDATE types SET c_char = 'ch7x' WHERE id = 7", "c_char"),
                Arguments.of("UPDATE types SET c_varchar = UPPER(c_varchar) WHERE id = 7", "c_varchar"),
                Arguments.of("UPDATE types SET c_text = CONCAT(c_text, '.') WHERE id = 7", "c_text"),
                Arguments.of("UPDATE types SET c_binary = X'00000008' WHERE id = 7", "c_binary"),
                Arguments.of("UPDATE types SET c_varbinary = LEFT(c_varbinary, 15) WHERE id = 7", "c_varbinary"),
                Arguments.of("UPDATE types SET c_blob = X'00' WHERE id = 7", "c_blob"),
                Arguments.of("UPDATE types SET c_date = c_date + INTERVAL 1 DAY WHERE id = 7", "c_date"),
                Arguments.of("UPDATE types SET c_dt = c_dt + INTERVAL 1 MICROSECOND WHERE id = 7", "c_dt"),
                Arguments.of("UPDATE types SET c_ts = c_ts - INTERVAL 1 MICROSECOND WHERE id = 7", "c_ts"),
                Arguments.of("UPDATE types SET c_time = ADDTIME(c_time, '00:00:00.000001') WHERE id = 7", "c_time"),
                Arguments.of("UPDATE types SET c_year = c_year + 1 WHERE id = 7", "c_year"),
                Arguments.of("UPDATE types SET c_enum = 'happy' WHERE id = 7", "c_enum"),
                Arguments.of("UPDATE types SET c_set = 'b' WHERE id = 7", "c_set"),
                Arguments.of("UPDATE types SET c_json = JSON_OBJECT('a', 7, 'b', 'y') WHERE id = 7", "c_json"),
                Arguments.of("UPDATE types SET c_bit = 0 WHERE id = 7", "c_bit"),
                Arguments.of("UPDATE types SET c_text = '' WHERE id = 10", "c_text"),
                Arguments.of("UPDATE types SET c_text = NULL WHERE id = 7", "c_text"),
                Arguments.of("UPDATE types SET c_varchar = '' WHERE id = 7", "c_varchar"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptions")
    void changedValueIsFoundAndNamed(String corruption, String column) throws Exception {
        DatabasePair.execute(pair.target(), corruption);
        TableReport report = verify(true, null, "types").tables().get(0);
        String id = corruption.substring(corruption.lastIndexOf('=') + 1).trim();
        assertThat(report.equal()).isFalse();
        assertThat(report.differentChunks()).isEqualTo(1);
        assertThat(report.rowDifferences()).containsExactly(
                new RowDifference(RowDifference.Kind.DIFFERENT, Map.of("id", id), List.of(column)));
        assertThat(report.differentRows()).isEqualTo(1);
    }

    @Test
    void decimalScaleChangeIsFound() throws Exception {
        DatabasePair.execute(pair.target(), "ALTER TABLE scale MODIFY amount DECIMAL(10,3)");
        TableReport report = verify(true, null, "scale").tables().get(0);
        assertThat(report.equal()).isFalse();
        assertThat(report.differentRows()).isEqualTo(50);
        assertThat(report.rowDifferences()).allSatisfy(d -> assertThat(d.columns()).containsExactly("amount"));
    }

    @Test
    void deletedExtraAndSwappedRowsAreNamed() throws Exception {
        DatabasePair.execute(pair.target(), "DELETE FROM types WHERE id = 150");
        DatabasePair.execute(pair.target(), "INSERT INTO types (id, c_text) VALUES (1000, 'extra'), (0, 'before the first')");
        DatabasePair.execute(pair.target(), "UPDATE types SET c_varchar = 'varchar 42' WHERE id = 41");
        DatabasePair.execute(pair.target(), "UPDATE types SET c_varchar = 'varchar 41' WHERE id = 42");
        TableReport report = verify(true, null, "types").tables().get(0);
        assertThat(report.rowDifferences()).containsExactlyInAnyOrder(
                new RowDifference(RowDifference.Kind.MISSING, Map.of("id", "150"), List.of()),
                new RowDifference(RowDifference.Kind.EXTRA, Map.of("id", "1000"), List.of()),
                new RowDifference(RowDifference.Kind.EXTRA, Map.of("id", "0"), List.of()),
                new RowDifference(RowDifference.Kind.DIFFERENT, Map.of("id", "41"), List.of("c_varchar")),
                new RowDifference(RowDifference.Kind.DIFFERENT, Map.of("id", "42"), List.of("c_varchar")));
        assertThat(List.of(report.missingRows(), report.extraRows(), report.differentRows())).containsExactly(1L, 2L, 2L);
        assertThat(report.targetRows()).isEqualTo(201);
    }

    @Test
    void compositeTextAndBinaryKeysAreNamed() throws Exception {
        DatabasePair.execute(pair.target(), "UPDATE composite SET qty = 0 WHERE tenant = 3 AND code = 'code-8'");
        DatabasePair.execute(pair.target(), "DELETE FROM by_text WHERE name = 'name 77'");
        DatabasePair.execute(pair.target(), "UPDATE by_binary SET v = -1 WHERE id = UNHEX(MD5('u5'))");
        VerifyReport report = verify(true, null, "composite", "by_text", "by_binary", "empty_one");
        assertThat(report.tablesDifferent()).isEqualTo(3);
        assertThat(report.tables().get(0).rowDifferences()).containsExactly(
                new RowDifference(RowDifference.Kind.DIFFERENT, Map.of("tenant", "3", "code", "code-8"), List.of("qty")));
        assertThat(report.tables().get(1).rowDifferences()).containsExactly(
                new RowDifference(RowDifference.Kind.MISSING, Map.of("name", "name 77"), List.of()));
        String hex;
        try (Connection c = pair.source(); var st = c.createStatement(); var rs = st.executeQuery("SELECT HEX(UNHEX(MD5('u5')))")) {
            rs.next();
            hex = rs.getString(1);
        }
        assertThat(report.tables().get(2).rowDifferences()).containsExactly(
                new RowDifference(RowDifference.Kind.DIFFERENT, Map.of("id", hex), List.of("v")));
        assertThat(report.tables().get(3).equal()).isTrue();
    }

    /**
     * Integer keys are chunked by key arithmetic: three clusters of BIGINT UNSIGNED keys (every 7th small
     * number, around 2^63, the top of the range) make the span learnt in one cluster wrong for the next,
     * and the target's extra rows lie below the least key, in a gap, between clusters and at the type's
     * maximum, beyond the greatest key.
     */
    @Test
    void gappedAndExtremeUnsignedKeysAreCoveredToTheEnds() throws Exception {
        pair.onBoth("DROP TABLE IF EXISTS sparse");
        pair.onBoth("CREATE TABLE sparse (id BIGINT UNSIGNED PRIMARY KEY, v TEXT)");
        pair.onBoth("INSERT INTO sparse SELECT i * 7, CONCAT('v', i) FROM " + NUMBERS + " WHERE i <= 500");
        pair.onBoth("INSERT INTO sparse SELECT CAST(9223372036854775807 AS UNSIGNED) + i, CONCAT('w', i) FROM " + NUMBERS
                + " WHERE i <= 100");
        pair.onBoth("INSERT INTO sparse SELECT CAST(18446744073709551000 AS UNSIGNED) - i, CONCAT('x', i) FROM " + NUMBERS
                + " WHERE i <= 300");
        VerifyReport equal = verify(true, null, "sparse");
        assertThat(equal.equal()).isTrue();
        assertThat(equal.tables().get(0).sourceRows()).isEqualTo(900);
        assertThat(equal.tables().get(0).chunks()).isGreaterThanOrEqualTo(3);

        DatabasePair.execute(pair.target(), "INSERT INTO sparse VALUES (0, 'least'), (3, 'gap'), (5000000, 'between'),"
                + " (18446744073709551615, 'greatest')");
        DatabasePair.execute(pair.target(), "DELETE FROM sparse WHERE id = 70");
        DatabasePair.execute(pair.target(), "UPDATE sparse SET v = 'changed' WHERE id = 18446744073709550900");
        TableReport report = verify(true, null, "sparse").tables().get(0);
        assertThat(report.rowDifferences()).containsExactlyInAnyOrder(
                new RowDifference(RowDifference.Kind.EXTRA, Map.of("id", "0"), List.of()),
                new RowDifference(RowDifference.Kind.EXTRA, Map.of("id", "3"), List.of()),
                new RowDifference(RowDifference.Kind.EXTRA, Map.of("id", "5000000"), List.of()),
                new RowDifference(RowDifference.Kind.EXTRA, Map.of("id", "18446744073709551615"), List.of()),
                new RowDifference(RowDifference.Kind.MISSING, Map.of("id", "70"), List.of()),
                new RowDifference(RowDifference.Kind.DIFFERENT, Map.of("id", "18446744073709550900"), List.of("v")));
        assertThat(List.of(report.sourceRows(), report.targetRows())).containsExactly(900L, 903L);
    }

    /**
     * A VARCHAR key in byte order ({@code utf8mb4_bin}) on the source and case-insensitive order on the
     * target: key ranges hold other rows on each side ('a2' sorts after 'B1' in one and before it in the
     * other), so the table is compared whole instead of reporting differences that do not exist.
     */
    @Test
    void keysUnderDifferentCollationsAreComparedWholeWithoutFalseDifferences() throws Exception {
        pair.onBoth("DROP TABLE IF EXISTS by_collation");
        pair.onSource("CREATE TABLE by_collation (name VARCHAR(40) COLLATE utf8mb4_bin PRIMARY KEY, v INT) CHARACTER SET utf8mb4");
        DatabasePair.execute(pair.target(), "CREATE TABLE by_collation (name VARCHAR(40) COLLATE utf8mb4_general_ci PRIMARY KEY,"
                + " v INT) CHARACTER SET utf8mb4");
        pair.onBoth("INSERT INTO by_collation SELECT CONCAT(IF(i % 2 = 0, 'a', 'B'), i), i FROM " + NUMBERS + " WHERE i <= 300");
        TableReport equal = verify(true, null, "by_collation").tables().get(0);
        assertThat(equal.equal()).as(equal.toString()).isTrue();
        assertThat(equal.note()).contains("collations differ", "utf8mb4_bin", "utf8mb4_general_ci");
        assertThat(List.of(equal.chunks(), equal.sourceRows(), equal.targetRows())).containsExactly(1L, 300L, 300L);

        DatabasePair.execute(pair.target(), "UPDATE by_collation SET v = -1 WHERE name = 'B7'");
        assertThat(verify(true, null, "by_collation").tables().get(0).differentChunks()).isEqualTo(1);
    }

    @Test
    void tableWithoutKeyIsComparedWhole() throws Exception {
        DatabasePair.execute(pair.target(), "UPDATE no_key SET line = 'changed' WHERE at = 3");
        TableReport report = verify(true, null, "no_key").tables().get(0);
        assertThat(report.equal()).isFalse();
        assertThat(report.note()).contains("no primary key");
    }

    // --- the real overlap.jar ---

    private OverlapProcess cli(String... args) throws Exception {
        Path config = pair.writeConfig(pair.configYaml());
        String[] command = Stream.concat(Stream.of("verify", "--config", config.toString()), Stream.of(args)).toArray(String[]::new);
        return OverlapProcess.start(Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword()), command);
    }

    @Test
    void cliExitsZeroWhenEqualAndThreeNamingTheKey() throws Exception {
        OverlapProcess equal = cli("--json", "--tables", pair.name + ".types," + pair.name + ".composite");
        assertThat(equal.waitFor()).as("exit; stderr %s", equal.stderr()).isZero();
        assertThat(new ObjectMapper().readTree(equal.stdout()).get("equal").asBoolean()).isTrue();

        DatabasePair.execute(pair.target(), "UPDATE types SET c_dt = c_dt + INTERVAL 1 MICROSECOND WHERE id = 123");
        DatabasePair.execute(pair.target(), "DELETE FROM composite WHERE tenant = 2 AND code = 'code-7'");
        OverlapProcess run = cli("--json", "--rows", "--tables", pair.name + ".types," + pair.name + ".composite");
        assertThat(run.waitFor()).as("exit; stderr %s", run.stderr()).isEqualTo(3);
        JsonNode report = new ObjectMapper().readTree(run.stdout());
        assertThat(report.get("live").asBoolean()).isFalse();
        assertThat(report.get("tables").get(0).get("rowDifferences").get(0).toString())
                .isEqualTo("{\"kind\":\"different\",\"key\":{\"id\":\"123\"},\"columns\":[\"c_dt\"]}");
        assertThat(report.get("tables").get(1).get("rowDifferences").get(0).toString())
                .isEqualTo("{\"kind\":\"missing\",\"key\":{\"tenant\":\"2\",\"code\":\"code-7\"},\"columns\":[]}");
    }

    // --- while a pipeline replicates ---

    @Test
    void writesDuringLiveVerifyGiveNoFalseDifference() throws Exception {
        DatabasePair live = pair("verifylive");
        // a second column: on MySQL the Applier's upsert of a table whose every column is in the key
        // (ON DUPLICATE KEY UPDATE d = d with the row alias) fails with "Column 'd' in field list is ambiguous"
        live.onBoth("CREATE TABLE digits (d INT PRIMARY KEY, spare INT)");
        live.onSource("INSERT INTO digits (d) VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)");
        live.onBoth("CREATE TABLE accounts (id INT PRIMARY KEY, balance DECIMAL(12,2) NOT NULL, note TEXT, updated_at DATETIME(6))");
        live.onSource("INSERT INTO accounts SELECT a.i * 1000 + b.i, 100, CONCAT('note ', a.i), '2024-01-01' FROM "
                + NUMBERS.replace(" n", " a") + ", " + NUMBERS.replace(" n", " b") + " WHERE a.i <= 3");
        try (dev.overlap.replicator.pipeline.Pipeline pipeline = live.startPipeline()) {
            live.awaitIdentical(Duration.ofSeconds(120));
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
            Thread writer = new Thread(() -> write(live, writing, writes), "writer");
            writer.start();
            try {
                Thread.sleep(500);
                List<TableName> accounts = List.of(new TableName(live.name, "accounts"));
                VerifyReport naive = verify(live, mariadb(), true, null, accounts, 500);
                PipelineWatermark watermark = live.watermark();
                try (Connection target = live.target()) {
                    assertThat(watermark.replicating(target)).isTrue();
                }
                VerifyReport checked = verify(live, mariadb(), true, watermark, accounts, 500);
                assertThat(writer.isAlive()).as("the writer ran during both checks").isTrue();
                assertThat(pipeline.failure()).isNull();
                assertThat(naive.equal()).as("without the watermark, changes in flight show (else this test proves nothing): %s", naive)
                        .isFalse();
                assertThat(checked.live()).isTrue();
                assertThat(checked.tables().get(0).rowDifferences()).isEmpty();
                assertThat(checked.equal()).as("%s", checked).isTrue();
            } finally {
                writing.set(false);
                writer.join();
            }
            assertThat(writes.get()).isGreaterThan(100);
        }
    }

    /** Updates, inserts and deletes random rows in small autocommit transactions until told to stop. */
    private static void write(DatabasePair pair, java.util.concurrent.atomic.AtomicBoolean writing, java.util.concurrent.atomic.AtomicLong writes) {
        try (Connection c = pair.source();
             var update = c.prepareStatement("UPDATE accounts SET balance = balance + 1, updated_at = NOW(6) WHERE id = ?");
             var insert = c.prepareStatement("INSERT IGNORE INTO accounts VALUES (?, 1, 'new', NOW(6))");
             var delete = c.prepareStatement("DELETE FROM accounts WHERE id = ?")) {
            java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
            while (writing.get()) {
                var statement = switch (random.nextInt(10)) {
                    case 0 -> insert;
                    case 1 -> delete;
                    default -> update;
                };
                statement.setInt(1, random.nextInt(1, 4_000));
                statement.executeUpdate();
                writes.incrementAndGet();
                Thread.sleep(2);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
