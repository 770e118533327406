package dev.overlap.replicator.offset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SourcePositionTest {

    @Test
    void aBatchEndingInsideTheFailedTransactionHasNotReachedItsEnd() {
        Map<String, Object> failed = Map.of("file", "binlog.000003", "pos", 1000L, "event", 2L, "row", 1L);
        assertThat(SourcePosition.reached(Map.of("file", "binlog.000003", "pos", 1000L, "event", 2L, "row", 0L), failed)).isFalse();
        assertThat(SourcePosition.reached(Map.of("file", "binlog.000003", "pos", 1000L, "event", 1L, "row", 5L), failed)).isFalse();
        assertThat(SourcePosition.reached(Map.of("file", "binlog.000003", "pos", 1000L, "event", 2L, "row", 1L), failed)).isTrue();
        assertThat(SourcePosition.reached(Map.of("file", "binlog.000003", "pos", 2000L), failed)).isTrue();
        assertThat(SourcePosition.reached(Map.of("file", "binlog.000004", "pos", 4L), failed)).isTrue();
        assertThat(SourcePosition.reached(Map.of("file", "binlog.000002", "pos", 9000L), failed)).isFalse();
    }

    @Test
    void lsnsCompareByValueAndNoPointIsAlwaysReached() {
        assertThat(SourcePosition.reached(Map.of("lsn", 100L), Map.of("lsn", 200L))).isFalse();
        assertThat(SourcePosition.reached(Map.of("lsn", 200L), Map.of("lsn", 200L))).isTrue();
        assertThat(SourcePosition.reached(Map.of("lsn", 1L), null)).isTrue();
    }
}
