package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.checksum.PostgresChecksumDialect;
import dev.overlap.checksum.RowDifference;
import dev.overlap.checksum.TableName;
import dev.overlap.checksum.TableReport;
import dev.overlap.checksum.Verifier;
import dev.overlap.checksum.VerifyOptions;
import dev.overlap.checksum.VerifyProgress;
import dev.overlap.checksum.VerifyReport;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A 1,000,000-row table with the default options: equal is found fast, and two differences among a million are named. */
class VerifyMillionRowsIT {

    @Test
    void millionRows() throws Exception {
        DatabasePair pair = DatabasePair.create("verifymillion");
        pair.onBoth("CREATE TABLE big (id bigint PRIMARY KEY, account int NOT NULL, amount numeric(12,2) NOT NULL, note text,"
                + " created_at timestamp(6) NOT NULL)");
        pair.onBoth("INSERT INTO big SELECT i, i % 1000, (i % 10000) / 100.0, 'row ' || i,"
                + " timestamp '2024-01-01' + i * interval '1 second' FROM generate_series(1, 1000000) i");
        pair.onBoth("VACUUM ANALYZE big");

        VerifyReport equal = verify(pair, false);
        System.out.printf("1,000,000 equal rows verified in %.1f s: %,.0f rows/s per side%n", equal.seconds(), 1_000_000 / equal.seconds());
        assertThat(equal.equal()).isTrue();
        assertThat(equal.tables().get(0).sourceRows()).isEqualTo(1_000_000);

        DatabasePair.execute(pair.target(), "DELETE FROM big WHERE id = 654321");
        DatabasePair.execute(pair.target(), "UPDATE big SET note = 'changed' WHERE id = 999999");
        TableReport different = verify(pair, true).tables().get(0);
        assertThat(different.rowDifferences()).containsExactlyInAnyOrder(
                new RowDifference(RowDifference.Kind.MISSING, Map.of("id", "654321"), List.of()),
                new RowDifference(RowDifference.Kind.DIFFERENT, Map.of("id", "999999"), List.of("note")));
    }

    private static VerifyReport verify(DatabasePair pair, boolean rows) throws SQLException, InterruptedException {
        try (VerifyProgress progress = VerifyProgress.forOutput(false)) {
            return new Verifier(new PostgresChecksumDialect(), pair, VerifyOptions.defaults(2, rows, 100), null, progress)
                    .verify(List.of(new TableName("public", "big")));
        }
    }
}
