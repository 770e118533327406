package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.replicator.pipeline.Pipeline;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every PostgreSQL type the issue names round-trips exactly, through the initial snapshot and through
 * streaming; inserts, updates, deletes, primary-key changes, composite keys, unchanged TOAST values,
 * tables without a key (REPLICA IDENTITY FULL) and TRUNCATE reach the target as on the source.
 * Equality is PostgreSQL's own text form of each row, compared row by row.
 */
class PostgresTypesIT {
    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    private static final String ALL_TYPES = """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            CREATE TABLE all_types (
              id bigint PRIMARY KEY,
              c_smallint smallint, c_int int, c_bigint bigint,
              c_numeric numeric(20,6), c_numeric_free numeric, c_real real, c_double double precision,
              c_text text, c_varchar varchar(50), c_char char(5), c_bool boolean,
              c_date date, c_time time, c_timestamp timestamp(6), c_timestamptz timestamptz,
              c_uuid uuid, c_json json, c_jsonb jsonb, c_bytea bytea, c_enum mood,
              c_int_array int[], c_text_array text[], c_interval interval);
            """;

    private static final String ROWS = """
            INSERT INTO all_types VALUES
            (1, -32768, 2147483647, -9223372036854775808, 12345678901234.123456, 3.14159265358979323846264338327950288,
             0.1, 1.7976931348623157e308, E'h\\u00e9llo \\u2713 \\U0001F600 ''quoted'' \\\\ back', 'varchar', 'ab', true,
             '2024-02-29', '23:59:59.999999', '2024-01-01 12:34:56.123456', '2024-06-01 12:00:00.654321+02',
             'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"b": 1,  "a": [1, 2]}', '{"b": 1, "a": {"c": null}}', '\\x00ff10',
             'happy', '{1,NULL,3}', '{"a,b","c\\"d",NULL,""}', '1 year 2 mons 3 days 04:05:06.789'),
            (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
             NULL, NULL, NULL, NULL, NULL),
            (3, 0, -1, 9223372036854775807, -0.000001, -100000000000000000000.5, -3.4e38, 5e-324, '', ' ', '', false,
             '1970-01-01', '00:00:00', '1970-01-01 00:00:00', '1999-12-31 23:59:59.999999-08',
             '00000000-0000-0000-0000-000000000000', '[]', '{}', '\\x', 'sad', '{}', '{}', '-1 days');
            """;

    @Test
    void everyTypeRoundTripsThroughSnapshotAndStreaming() throws Exception {
        DatabasePair pair = DatabasePair.create("types");
        pair.onBoth(ALL_TYPES);
        pair.onSource(ROWS);
        try (Pipeline pipeline = pair.startPipeline()) {
            pair.awaitIdentical(CATCH_UP);
            pair.onSource("INSERT INTO all_types SELECT id + 10, c_smallint, c_int, c_bigint, c_numeric, c_numeric_free, c_real,"
                    + " c_double, c_text, c_varchar, c_char, c_bool, c_date, c_time, c_timestamp, c_timestamptz, c_uuid, c_json,"
                    + " c_jsonb, c_bytea, c_enum, c_int_array, c_text_array, c_interval FROM all_types WHERE id <= 3");
            pair.onSource("UPDATE all_types SET c_numeric = 0.5, c_text = 'changed', c_jsonb = '{\"x\": [true]}',"
                    + " c_int_array = '{7}', c_timestamptz = '2030-01-01 00:00:00.000001+00' WHERE id = 1");
            pair.onSource("UPDATE all_types SET c_text = 'was null', c_bytea = '\\xdeadbeef' WHERE id = 2");
            pair.onSource("DELETE FROM all_types WHERE id = 13");
            pair.onSource("UPDATE all_types SET id = 103 WHERE id = 3");

            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP);
            assertThat(rows.get("public.all_types")).hasSize(5);
            assertThat(pipeline.failure()).isNull();
        }
    }

    /**
     * Runs of inserts of every type go by COPY (the Applier's bulk path for 32 rows or more), and a key that a
     * run inserts again after deleting it in the same batch falls back to upserts: both arrive exactly.
     */
    @Test
    void insertRunsOfEveryTypeArriveExactlyByCopy() throws Exception {
        DatabasePair pair = DatabasePair.create("types_copy");
        pair.onBoth(ALL_TYPES);
        pair.onSource(ROWS);
        String copies = "INSERT INTO all_types SELECT id + 10 * k, c_smallint, c_int, c_bigint, c_numeric, c_numeric_free,"
                + " c_real, c_double, c_text, c_varchar, c_char, c_bool, c_date, c_time, c_timestamp, c_timestamptz, c_uuid,"
                + " c_json, c_jsonb, c_bytea, c_enum, c_int_array, c_text_array, c_interval FROM all_types, generate_series(%d, %d) k"
                + " WHERE id <= 3";
        try (Pipeline pipeline = pair.startPipeline()) {
            pair.awaitIdentical(CATCH_UP, pipeline);
            pair.onSource(copies.formatted(1, 20));
            pair.awaitIdentical(CATCH_UP, pipeline);
            pair.onSource("BEGIN; DELETE FROM all_types WHERE id > 3; " + copies.formatted(1, 20) + "; COMMIT");

            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP, pipeline);
            assertThat(rows.get("public.all_types")).hasSize(63);
            assertThat(pipeline.failure()).isNull();
        }
    }

    @Test
    void compositeKeysTruncateAndKeylessTablesReplicateExactly() throws Exception {
        DatabasePair pair = DatabasePair.create("shapes");
        pair.onBoth("""
                CREATE TABLE order_lines (order_id int, line int, qty int, PRIMARY KEY (order_id, line));
                CREATE TABLE history (tid int, delta int, mtime timestamp);
                CREATE TABLE scratch (id int PRIMARY KEY, note text);
                """);
        pair.onSource("ALTER TABLE history REPLICA IDENTITY FULL");
        pair.onSource("INSERT INTO history VALUES (1, 5, '2024-01-01'), (1, 5, '2024-01-01'), (2, 7, NULL)");
        try (Pipeline pipeline = pair.startPipeline()) {
            pair.awaitIdentical(CATCH_UP);
            pair.onSource("""
                    INSERT INTO order_lines VALUES (1, 1, 1), (1, 2, 2), (2, 1, 3);
                    UPDATE order_lines SET qty = 10 WHERE order_id = 1 AND line = 2;
                    UPDATE order_lines SET line = 5 WHERE order_id = 2 AND line = 1;
                    DELETE FROM order_lines WHERE order_id = 1 AND line = 1;
                    INSERT INTO history VALUES (1, 5, '2024-01-01'), (3, NULL, NULL);
                    UPDATE history SET delta = 6 WHERE ctid = (SELECT ctid FROM history WHERE tid = 1 LIMIT 1);
                    DELETE FROM history WHERE ctid = (SELECT ctid FROM history WHERE tid = 1 AND delta = 5 LIMIT 1);
                    DELETE FROM history WHERE tid = 3;
                    INSERT INTO scratch VALUES (1, 'a'), (2, 'b');
                    """);
            pair.awaitIdentical(CATCH_UP);
            pair.onSource("TRUNCATE scratch; INSERT INTO scratch VALUES (3, 'after truncate')");

            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP);
            assertThat(rows.get("public.scratch")).containsExactly("(3,\"after truncate\")");
            assertThat(rows.get("public.history")).containsExactly("(1,5,\"2024-01-01 00:00:00\")",
                    "(1,6,\"2024-01-01 00:00:00\")", "(2,7,)");
            assertThat(rows.get("public.order_lines")).containsExactly("(1,2,10)", "(2,5,3)");
            assertThat(pipeline.failure()).isNull();
        }
    }

    @Test
    void unchangedToastValuesAreKept() throws Exception {
        DatabasePair pair = DatabasePair.create("toast");
        pair.onBoth("CREATE TABLE docs (id int PRIMARY KEY, body text, tags text[], counter int)");
        String bigText = "(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 4000))";
        String bigArray = "(SELECT array_agg(md5(random()::text)) FROM generate_series(1, 4000))";
        try (Pipeline pipeline = pair.startPipeline()) {
            pair.onSource("INSERT INTO docs VALUES (1, " + bigText + ", " + bigArray + ", 0), (2, " + bigText + ", "
                    + bigArray + ", 0)");
            pair.awaitIdentical(CATCH_UP);
            pair.onSource("UPDATE docs SET counter = counter + 1");
            pair.onSource("BEGIN; INSERT INTO docs VALUES (3, " + bigText + ", " + bigArray + ", 0);"
                    + " UPDATE docs SET counter = 5 WHERE id = 3; UPDATE docs SET counter = 6 WHERE id = 3; COMMIT");

            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP);
            assertThat(rows.get("public.docs")).hasSize(3).allSatisfy(row -> assertThat(row).hasSizeGreaterThan(100_000)
                    .doesNotContain("__debezium_unavailable_value"));
            assertThat(pipeline.failure()).isNull();
        }
    }

    /**
     * A primary-key update of a row whose TOAST value is unchanged: pgoutput sends the new row without it
     * (REPLICA IDENTITY DEFAULT), and the moved row keeps it on the target, NOT NULL column included.
     */
    @Test
    void keyUpdateKeepsAnUnchangedToastValue() throws Exception {
        DatabasePair pair = DatabasePair.create("toast_key");
        pair.onBoth("CREATE TABLE docs (id int PRIMARY KEY, body text NOT NULL, note text, counter int)");
        String bigText = "(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 4000))";
        try (Pipeline pipeline = pair.startPipeline()) {
            pair.onSource("ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL");
            pair.onSource("INSERT INTO docs VALUES (1, " + bigText + ", " + bigText + ", 0), (2, " + bigText + ", 'n', 0)");
            pair.awaitIdentical(CATCH_UP, pipeline);
            pair.onSource("UPDATE docs SET id = 10 WHERE id = 1");
            pair.onSource("BEGIN; UPDATE docs SET id = 20, counter = 1 WHERE id = 2; UPDATE docs SET counter = 2 WHERE id = 20;"
                    + " UPDATE docs SET id = 21 WHERE id = 20; COMMIT");

            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP, pipeline);
            assertThat(rows.get("public.docs")).hasSize(2).allSatisfy(row -> assertThat(row).hasSizeGreaterThan(100_000)
                    .doesNotContain("__debezium_unavailable_value"));
            assertThat(pipeline.failure()).isNull();
        }
    }

    /**
     * Stored generated columns (which pgoutput does not send, and the snapshot does) and GENERATED ALWAYS
     * identity columns, in a keyed table and in one without a key: no errors, and the target computes what it must.
     */
    @Test
    void generatedAndIdentityColumnsReplicate() throws Exception {
        DatabasePair pair = DatabasePair.create("generated");
        pair.onBoth("""
                CREATE TABLE lines (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, price numeric(10,2), qty int,
                                    total numeric(12,2) GENERATED ALWAYS AS (price * qty) STORED,
                                    seq bigint GENERATED ALWAYS AS IDENTITY);
                CREATE TABLE events (n int GENERATED ALWAYS AS IDENTITY, what text, twice int GENERATED ALWAYS AS (n * 2) STORED);
                """);
        pair.onSource("ALTER TABLE events REPLICA IDENTITY FULL");
        pair.onSource("INSERT INTO lines (price, qty) VALUES (2.50, 4), (1.00, 1); INSERT INTO events (what) VALUES ('a'), ('b')");
        try (Pipeline pipeline = pair.startPipeline()) {
            pair.awaitIdentical(CATCH_UP, pipeline);
            pair.onSource("""
                    INSERT INTO lines (price, qty) VALUES (3.00, 3);
                    UPDATE lines SET qty = 10 WHERE id = 1;
                    DELETE FROM lines WHERE id = 2;
                    INSERT INTO events (what) VALUES ('c');
                    UPDATE events SET what = 'aa' WHERE what = 'a';
                    DELETE FROM events WHERE what = 'b';
                    """);
            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP, pipeline);
            assertThat(rows.get("public.lines")).containsExactly("(1,2.50,10,25.00,1)", "(3,3.00,3,9.00,3)");
            assertThat(rows.get("public.events")).containsExactly("(1,aa,2)", "(3,c,6)");
            assertThat(pipeline.failure()).isNull();
        }
    }
}
