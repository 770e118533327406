package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.overlap.checksum.PostgresChecksumDialect;
import dev.overlap.checksum.ReplicationWatermark;
import dev.overlap.checksum.RowDifference;
import dev.overlap.checksum.TableName;
import dev.overlap.checksum.TableReport;
import dev.overlap.checksum.Verifier;
import dev.overlap.checksum.VerifyOptions;
import dev.overlap.checksum.VerifyProgress;
import dev.overlap.checksum.VerifyReport;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code overlap verify} on real PostgreSQL servers: equal data compares equal (whatever the physical
 * order, json key order or white space), and every single corruption of the target is found and its
 * key and column named, in the library and through the real {@code overlap.jar}.
 */
class VerifyIT {
    private static final String TYPES = """
            CREATE TABLE types (id int PRIMARY KEY, c_int int, c_bigint bigint, c_numeric numeric(12,4), c_free numeric,
              c_text text, c_varchar varchar(40), c_char char(8), c_bool boolean, c_date date, c_ts timestamp(6),
              c_tstz timestamptz, c_uuid uuid, c_json json, c_jsonb jsonb, c_bytea bytea, c_real real,
              c_double double precision, c_array int[])""";
    private static final String FILL = """
            INSERT INTO types SELECT i, i * 3, i * 1000000007::bigint, i / 7.0, 1.5, CASE WHEN i % 10 = 0 THEN NULL ELSE 'text ' || i END,
              'varchar ' || i, 'ch' || i, i % 2 = 0, date '2024-01-01' + i, timestamp '2024-01-01 00:00:00.123456' + i * interval '1 hour',
              timestamptz '2024-01-01 00:00:00.5+02' + i * interval '1 minute', md5(i::text)::uuid,
              json_build_object('a', i, 'b', 'x'), jsonb_build_object('k', i, 'list', jsonb_build_array(1, 2, i)),
              decode(md5(i::text), 'hex'), i / 3.0, i / 7.0, ARRAY[i, i + 1] FROM generate_series(1, 200) AS i""";
    private static DatabasePair pair;

    @BeforeAll
    static void schema() throws Exception {
        pair = DatabasePair.create("verify");
        pair.onBoth(TYPES);
        pair.onBoth("CREATE TABLE composite (tenant int, code text, qty int, PRIMARY KEY (tenant, code))");
        pair.onBoth("CREATE TABLE by_text (name text PRIMARY KEY, v int)");
        pair.onBoth("CREATE TABLE by_uuid (id uuid PRIMARY KEY, v int)");
        pair.onBoth("CREATE TABLE empty_one (id bigint PRIMARY KEY, v text)");
        pair.onBoth("CREATE TABLE no_key (at int, line text)");
    }

    @BeforeEach
    void sameData() throws SQLException {
        pair.onBoth("TRUNCATE types, composite, by_text, by_uuid, empty_one, no_key");
        pair.onSource(FILL);
        // the target gets the same rows in another physical order
        DatabasePair.execute(pair.target(), FILL.replace("generate_series(1, 200) AS i", "generate_series(200, 1, -1) AS i"));
        pair.onBoth("INSERT INTO composite SELECT i % 5, 'code-' || i, i FROM generate_series(1, 300) i");
        pair.onBoth("INSERT INTO by_text SELECT 'name ' || i, i FROM generate_series(1, 300) i");
        pair.onBoth("INSERT INTO by_uuid SELECT md5('u' || i)::uuid, i FROM generate_series(1, 300) i");
        pair.onBoth("INSERT INTO no_key SELECT i, 'line ' || i FROM generate_series(1, 100) i");
    }

    static VerifyReport verify(DatabasePair pair, boolean rows, ReplicationWatermark watermark, String... tables)
            throws SQLException, InterruptedException {
        // small chunks, so that the tests cross chunk boundaries and bisect
        VerifyOptions options = new VerifyOptions(2, java.time.Duration.ofMillis(500), 37, rows, 8, 50, 3,
                java.time.Duration.ofSeconds(30));
        try (VerifyProgress progress = VerifyProgress.forOutput(false)) {
            return new Verifier(new PostgresChecksumDialect(), pair, options, watermark, progress)
                    .verify(Stream.of(tables).map(TableName::parse).toList());
        }
    }

    @Test
    void equalTablesAreEqual() throws Exception {
        VerifyReport report = verify(pair, true, null, "public.types", "public.composite", "public.by_text", "public.by_uuid",
                "public.empty_one", "public.no_key");
        assertThat(report.tables()).allSatisfy(t -> assertThat(t.equal()).as(t.toString()).isTrue());
        assertThat(report.equal()).isTrue();
        assertThat(report.sourceRows()).isEqualTo(200 + 300 * 3 + 100);
        TableReport types = report.tables().get(0);
        assertThat(types.sourceRows()).isEqualTo(200);
        assertThat(types.chunks()).as("at least 3 chunks: 37, then each at most twice the last (fewer rows when a chunk ran slow)")
                .isGreaterThanOrEqualTo(3);
        assertThat(report.tables().get(4).sourceRows()).as("empty table").isZero();
        assertThat(report.tables().get(5).note()).contains("no primary key");
    }

    @Test
    void equivalentJsonAndCharPaddingCompareEqual() throws Exception {
        DatabasePair.execute(pair.target(), "UPDATE types SET c_json = '{ \"b\" : \"x\",   \"a\": 5 }', c_char = 'ch5     ' WHERE id = 5");
        assertThat(verify(pair, true, null, "public.types").equal()).isTrue();
    }

    static Stream<Arguments> corruptions() {
        return Stream.of(
                Arguments.of("UPDATE types SET c_int = c_int + 1 WHERE id = 7", "c_int"),
                Arguments.of("UPDATE types SET c_bigint = c_bigint - 1 WHERE id = 7", "c_bigint"),
                Arguments.of("UPDATE types SET c_numeric = c_numeric + 0.0001 WHERE id = 7", "c_numeric"),
                Arguments.of("UPDATE types SET c_free = 1.50 WHERE id = 7", "c_free"),
                Arguments.of("UPDATE types SET c_text = c_text || '.' WHERE id = 7", "c_text"),
                Arguments.of("UPDATE types SET c_varchar = upper(c_varchar) WHERE id = 7", "c_varchar"),
                Arguments.of("UPDATE types SET c_char = 'ch7x' WHERE id = 7", "c_char"),
                Arguments.of("UPDATE types SET c_bool = NOT c_bool WHERE id = 7", "c_bool"),
                Arguments.of("UPDATE types SET c_date = c_date + 1 WHERE id = 7", "c_date"),
                Arguments.of("UPDATE types SET c_ts = c_ts + interval '1 microsecond' WHERE id = 7", "c_ts"),
                Arguments.of("UPDATE types SET c_tstz = c_tstz - interval '1 microsecond' WHERE id = 7", "c_tstz"),
                Arguments.of("UPDATE types SET c_uuid = md5('other')::uuid WHERE id = 7", "c_uuid"),
                Arguments.of("UPDATE types SET c_json = '{\"a\": 7, \"b\": \"y\"}' WHERE id = 7", "c_json"),
                Arguments.of("UPDATE types SET c_jsonb = c_jsonb || '{\"k\": \"7\"}' WHERE id = 7", "c_jsonb"),
                Arguments.of("UPDATE types SET c_bytea = c_bytea || '\\x00'::bytea WHERE id = 7", "c_bytea"),
                Arguments.of("UPDATE types SET c_real = c_real * 1.0000001 WHERE id = 7", "c_real"),
                Arguments.of("UPDATE types SET c_double = c_double + 1e-12 WHERE id = 7", "c_double"),
                Arguments.of("UPDATE types SET c_array = ARRAY[8, 7] WHERE id = 7", "c_array"),
                Arguments.of("UPDATE types SET c_text = '' WHERE id = 10", "c_text"),
                Arguments.of("UPDATE types SET c_text = NULL WHERE id = 7", "c_text"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptions")
    void changedValueIsFoundAndNamed(String corruption, String column) throws Exception {
        DatabasePair.execute(pair.target(), corruption);
        TableReport report = verify(pair, true, null, "public.types").tables().get(0);
        String id = corruption.substring(corruption.lastIndexOf('=') + 1).trim();
        assertThat(report.equal()).isFalse();
        assertThat(report.differentChunks()).isEqualTo(1);
        assertThat(report.rowDifferences()).containsExactly(
                new RowDifference(RowDifference.Kind.DIFFERENT, Map.of("id", id), List.of(column)));
        assertThat(report.differentRows()).isEqualTo(1);
    }

    @Test
    void deletedExtraAndSwappedRowsAreNamed() throws Exception {
        DatabasePair.execute(pair.target(), "DELETE FROM types WHERE id = 150");
        DatabasePair.execute(pair.target(), "INSERT INTO types (id, c_text) VALUES (1000, 'extra'), (0, 'before the first')");
        DatabasePair.execute(pair.target(), "UPDATE types t SET c_varchar = o.c_varchar FROM types o"
                + " WHERE (t.id, o.id) IN ((41, 42), (42, 41))");
        TableReport report = verify(pair, true, null, "public.types").tables().get(0);
        assertThat(report.rowDifferences()).containsExactlyInAnyOrder(
                new RowDifference(RowDifference.Kind.MISSING, Map.of("id", "150"), List.of()),
                new RowDifference(RowDifference.Kind.EXTRA, Map.of("id", "1000"), List.of()),
                new RowDifference(RowDifference.Kind.EXTRA, Map.of("id", "0"), List.of()),
                new RowDifference(RowDifference.Kind.DIFFERENT, Map.of("id", "41"), List.of("c_varchar")),
                new RowDifference(RowDifference.Kind.DIFFERENT, Map.of("id", "42"), List.of("c_varchar")));
        assertThat(List.of(report.missingRows(), report.extraRows(), report.differentRows())).containsExactly(1L, 2L, 2L);
        assertThat(report.sourceRows()).isEqualTo(200);
        assertThat(report.targetRows()).isEqualTo(201);
    }

    @Test
    void compositeTextAndUuidKeysAreNamed() throws Exception {
        DatabasePair.execute(pair.target(), "UPDATE composite SET qty = 0 WHERE tenant = 3 AND code = 'code-8'");
        DatabasePair.execute(pair.target(), "DELETE FROM by_text WHERE name = 'name 77'");
        DatabasePair.execute(pair.target(), "UPDATE by_uuid SET v = -1 WHERE id = md5('u5')::uuid");
        VerifyReport report = verify(pair, true, null, "public.composite", "public.by_text", "public.by_uuid", "public.empty_one");
        assertThat(report.tablesDifferent()).isEqualTo(3);
        assertThat(report.tables().get(0).rowDifferences()).containsExactly(
                new RowDifference(RowDifference.Kind.DIFFERENT, Map.of("tenant", "3", "code", "code-8"), List.of("qty")));
        assertThat(report.tables().get(1).rowDifferences()).containsExactly(
                new RowDifference(RowDifference.Kind.MISSING, Map.of("name", "name 77"), List.of()));
        String uuid;
        try (Connection c = pair.source(); var st = c.createStatement(); var rs = st.executeQuery("SELECT md5('u5')::uuid::text")) {
            rs.next();
            uuid = rs.getString(1);
        }
        assertThat(report.tables().get(2).rowDifferences()).containsExactly(
                new RowDifference(RowDifference.Kind.DIFFERENT, Map.of("id", uuid), List.of("v")));
        assertThat(report.tables().get(3).equal()).isTrue();
    }

    /**
     * Live: rows the target lacks at first but receives while the verifier waits for it (in flight, as
     * from a snapshot still copying) are no difference, and the table's counts are those read once the
     * target had them, so that they agree with the verdict.
     */
    @Test
    void rowsArrivingWhileLiveVerifyWaitsAreNoDifferenceAndTheCountsAgree() throws Exception {
        pair.onSource("INSERT INTO empty_one SELECT i, 'v' || i FROM generate_series(1, 30) i");
        DatabasePair.execute(pair.target(), "INSERT INTO empty_one SELECT i, 'v' || i FROM generate_series(1, 20) i");
        AtomicInteger waits = new AtomicInteger();
        ReplicationWatermark arriving = new ReplicationWatermark() {
            @Override
            public Object sourcePosition(Connection source) {
                return "now";
            }

            @Override
            public boolean awaitApplied(Object position, java.time.Duration timeout) throws SQLException {
                if (waits.incrementAndGet() == 2) { // the first row-level re-check: the missing rows have arrived
                    DatabasePair.execute(pair.target(), "INSERT INTO empty_one SELECT i, 'v' || i FROM generate_series(21, 30) i");
                }
                return true;
            }
        };
        TableReport report = verify(pair, true, arriving, "public.empty_one").tables().get(0);
        assertThat(report.equal()).isTrue();
        assertThat(report.sourceRows()).isEqualTo(30);
        assertThat(report.targetRows()).as("counted after the rows arrived").isEqualTo(30);
    }

    /**
     * Integer keys are chunked by key arithmetic: three clusters (negative, every 7th small number, the top
     * of bigint) make the span learnt in one cluster wrong for the next, and the target's extra rows lie
     * below the least key, in a gap, between clusters and at bigint's maximum, beyond the greatest key.
     */
    @Test
    void gappedNegativeAndExtremeIntegerKeysAreCoveredToTheEnds() throws Exception {
        pair.onBoth("DROP TABLE IF EXISTS sparse");
        pair.onBoth("CREATE TABLE sparse (id bigint PRIMARY KEY, v text)");
        pair.onBoth("INSERT INTO sparse SELECT k, 'v' || k FROM (SELECT -1000 - i AS k FROM generate_series(1, 100) i"
                + " UNION ALL SELECT i * 7 FROM generate_series(1, 500) i"
                + " UNION ALL SELECT 9223372036854775000 - i FROM generate_series(0, 299) i) s");
        VerifyReport equal = verify(pair, true, null, "public.sparse");
        assertThat(equal.equal()).isTrue();
        assertThat(equal.tables().get(0).sourceRows()).isEqualTo(900);
        assertThat(equal.tables().get(0).chunks()).isGreaterThanOrEqualTo(3);

        DatabasePair.execute(pair.target(), "INSERT INTO sparse VALUES (-9223372036854775808, 'least'), (3, 'gap'),"
                + " (5000000, 'between'), (9223372036854775807, 'greatest')");
        DatabasePair.execute(pair.target(), "DELETE FROM sparse WHERE id = 70");
        DatabasePair.execute(pair.target(), "UPDATE sparse SET v = 'changed' WHERE id = 9223372036854774900");
        TableReport report = verify(pair, true, null, "public.sparse").tables().get(0);
        assertThat(report.rowDifferences()).containsExactlyInAnyOrder(
                new RowDifference(RowDifference.Kind.EXTRA, Map.of("id", "-9223372036854775808"), List.of()),
                new RowDifference(RowDifference.Kind.EXTRA, Map.of("id", "3"), List.of()),
                new RowDifference(RowDifference.Kind.EXTRA, Map.of("id", "5000000"), List.of()),
                new RowDifference(RowDifference.Kind.EXTRA, Map.of("id", "9223372036854775807"), List.of()),
                new RowDifference(RowDifference.Kind.MISSING, Map.of("id", "70"), List.of()),
                new RowDifference(RowDifference.Kind.DIFFERENT, Map.of("id", "9223372036854774900"), List.of("v")));
        assertThat(List.of(report.sourceRows(), report.targetRows())).containsExactly(900L, 903L);
    }

    /**
     * A text key under ICU's English order on the source and byte order ("C") on the target: key ranges
     * hold other rows on each side ('a2' sorts before 'B1' in one and after it in the other), so the table
     * is compared whole instead of reporting differences that do not exist.
     */
    @Test
    void keysUnderDifferentCollationsAreComparedWholeWithoutFalseDifferences() throws Exception {
        pair.onBoth("DROP TABLE IF EXISTS by_collation");
        pair.onSource("CREATE TABLE by_collation (name text COLLATE \"en-x-icu\" PRIMARY KEY, v int)");
        DatabasePair.execute(pair.target(), "CREATE TABLE by_collation (name text COLLATE \"C\" PRIMARY KEY, v int)");
        pair.onBoth("INSERT INTO by_collation SELECT CASE WHEN i % 2 = 0 THEN 'a' ELSE 'B' END || i, i FROM generate_series(1, 300) i");
        TableReport equal = verify(pair, true, null, "public.by_collation").tables().get(0);
        assertThat(equal.equal()).as(equal.toString()).isTrue();
        assertThat(equal.note()).contains("collations differ", "en-x-icu", "C");
        assertThat(List.of(equal.chunks(), equal.sourceRows(), equal.targetRows())).containsExactly(1L, 300L, 300L);

        DatabasePair.execute(pair.target(), "UPDATE by_collation SET v = -1 WHERE name = 'B7'");
        assertThat(verify(pair, true, null, "public.by_collation").tables().get(0).differentChunks()).isEqualTo(1);
    }

    /** A bigint key on the source and a text key on the target: '10' sorts before '9' on the target only. */
    @Test
    void integerKeyOnOneSideAndTextOnTheOtherIsComparedWhole() throws Exception {
        pair.onBoth("DROP TABLE IF EXISTS by_retyped");
        pair.onSource("CREATE TABLE by_retyped (id bigint PRIMARY KEY, v int)");
        DatabasePair.execute(pair.target(), "CREATE TABLE by_retyped (id text PRIMARY KEY, v int)");
        pair.onBoth("INSERT INTO by_retyped SELECT i, i FROM generate_series(1, 300) i");
        TableReport report = verify(pair, true, null, "public.by_retyped").tables().get(0);
        assertThat(report.equal()).as(report.toString()).isTrue();
        assertThat(report.note()).contains("primary key types differ", "bigint", "text");
        assertThat(report.chunks()).isEqualTo(1);
    }

    /**
     * The same collation name ordering differently on each side (as after an operating system upgrade
     * changes a locale's order): the names agree, so the table is chunked, and bisection must end even
     * though ranges hold other rows on each side. Before the guard it recursed until the stack overflowed.
     */
    @Test
    void keysOrderedDifferentlyUnderOneCollationNameEndTheBisection() throws Exception {
        pair.onBoth("DROP TABLE IF EXISTS by_drifted");
        pair.onBoth("DROP COLLATION IF EXISTS drifted");
        pair.onSource("CREATE COLLATION drifted (provider = icu, locale = 'en')");
        DatabasePair.execute(pair.target(), "CREATE COLLATION drifted (provider = libc, locale = 'C')");
        pair.onBoth("CREATE TABLE by_drifted (name text COLLATE drifted PRIMARY KEY, v int)");
        pair.onBoth("INSERT INTO by_drifted SELECT CASE WHEN i % 2 = 0 THEN 'a' ELSE 'B' END || i, i FROM generate_series(1, 300) i");
        TableReport report = verify(pair, true, null, "public.by_drifted").tables().get(0);
        assertThat(report.note()).isNull();
        assertThat(report.differentChunks()).as("the sides cannot be told equal when they order keys differently").isPositive();
    }

    @Test
    void withoutRowLevelTheChunkIsReported() throws Exception {
        DatabasePair.execute(pair.target(), "UPDATE types SET c_int = 0 WHERE id = 100");
        TableReport report = verify(pair, false, null, "public.types").tables().get(0);
        assertThat(report.equal()).isFalse();
        assertThat(report.rowDifferences()).isEmpty();
        assertThat(report.chunkDifferences()).hasSize(1);
        var chunk = report.chunkDifferences().get(0);
        int lower = chunk.lower() == null ? 0 : Integer.parseInt(chunk.lower().get("id"));
        int upper = chunk.upper() == null ? Integer.MAX_VALUE : Integer.parseInt(chunk.upper().get("id"));
        assertThat(100).isGreaterThan(lower).isLessThanOrEqualTo(upper);
    }

    @Test
    void tableWithoutKeyIsComparedWhole() throws Exception {
        DatabasePair.execute(pair.target(), "UPDATE no_key SET line = 'changed' WHERE at = 3");
        TableReport report = verify(pair, true, null, "public.no_key").tables().get(0);
        assertThat(report.equal()).isFalse();
        assertThat(report.note()).contains("no primary key");
    }

    // --- the real overlap.jar ---

    private static OverlapProcess cli(String... args) throws Exception {
        Path config = pair.writeConfig(pair.configYaml());
        String[] command = Stream.concat(Stream.of("verify", "--config", config.toString()), Stream.of(args)).toArray(String[]::new);
        return OverlapProcess.start(Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword()), command);
    }

    @Test
    void cliExitsZeroWhenEqual() throws Exception {
        OverlapProcess run = cli("--json");
        assertThat(run.waitFor()).as("exit; stderr %s", run.stderr()).isZero();
        JsonNode report = new ObjectMapper().readTree(run.stdout());
        assertThat(report.get("equal").asBoolean()).isTrue();
        assertThat(report.get("tablesCompared").asInt()).isEqualTo(6);
    }

    @Test
    void cliExitsThreeAndNamesTheKey() throws Exception {
        DatabasePair.execute(pair.target(), "UPDATE types SET c_ts = c_ts + interval '1 microsecond' WHERE id = 123");
        DatabasePair.execute(pair.target(), "DELETE FROM composite WHERE tenant = 2 AND code = 'code-7'");
        OverlapProcess run = cli("--json", "--rows", "--tables", "public.types,public.composite");
        assertThat(run.waitFor()).as("exit; stderr %s", run.stderr()).isEqualTo(3);
        JsonNode report = new ObjectMapper().readTree(run.stdout());
        assertThat(report.get("equal").asBoolean()).isFalse();
        JsonNode types = report.get("tables").get(0);
        assertThat(types.get("table").asText()).isEqualTo("public.types");
        assertThat(types.get("rowDifferences").get(0).toString())
                .isEqualTo("{\"kind\":\"different\",\"key\":{\"id\":\"123\"},\"columns\":[\"c_ts\"]}");
        assertThat(report.get("tables").get(1).get("rowDifferences").get(0).toString())
                .isEqualTo("{\"kind\":\"missing\",\"key\":{\"tenant\":\"2\",\"code\":\"code-7\"},\"columns\":[]}");

        OverlapProcess text = cli("--rows", "--tables", "public.types");
        assertThat(text.waitFor()).isEqualTo(3);
        assertThat(text.stdout()).contains("public.types").contains("DIFFERENT").contains("id=123").contains("c_ts");
    }

    @Test
    void cliRejectsAnUnknownTable() throws Exception {
        OverlapProcess run = cli("--tables", "public.nope");
        assertThat(run.waitFor()).isEqualTo(2);
        List<String> lines = run.stderr().lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("overlap: ").contains("unknown table public.nope");
    }
}
