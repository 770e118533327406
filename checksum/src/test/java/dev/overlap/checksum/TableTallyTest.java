package dev.overlap.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TableTallyTest {

    @Test
    void listsAreCappedAndTotalsCountEverything() {
        TableTally tally = new TableTally("public.t", 2);
        tally.chunk(10, 9);
        tally.chunk(5, 5);
        tally.chunkDiffers(new ChunkDifference(null, Map.of("id", "10"), 10, 9));
        tally.rows(List.of(new RowDifference(RowDifference.Kind.MISSING, Map.of("id", "3"), List.of()),
                new RowDifference(RowDifference.Kind.DIFFERENT, Map.of("id", "4"), List.of("a")),
                new RowDifference(RowDifference.Kind.EXTRA, Map.of("id", "11"), List.of())));
        tally.unlisted(RowDifference.Kind.MISSING, 7);
        TableReport report = tally.report(15, 14, null, true);
        assertThat(report.equal()).isFalse();
        assertThat(report.rowDifferences()).hasSize(2);
        assertThat(List.of(report.missingRows(), report.extraRows(), report.differentRows())).containsExactly(8L, 1L, 1L);
        assertThat(List.of(report.sourceRows(), report.targetRows(), report.chunks(), report.differentChunks()))
                .containsExactly(15L, 14L, 2L, 1L);
    }

    @Test
    void equalOnlyWhenComparableAndNoChunkDiffers() {
        TableTally tally = new TableTally("public.t", 10);
        tally.chunk(3, 3);
        assertThat(tally.report(3, 4, null, true).equal()).as("a count read apart from the hashes does not decide").isTrue();
        assertThat(tally.report(3, -1, "missing on the target", false).equal()).isFalse();
        assertThat(tally.report(3, -1, "missing on the target", false).targetRows()).isEqualTo(-1);
    }
}
