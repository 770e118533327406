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

    /** A DDL statement the binlog connector delivers again after a restart from the offset stored with it is skipped. */
    @Test
    void aBinlogEventAtOrBeforeTheStoredOffsetIsAReplayButAnLsnNeverIs() {
        Map<String, Object> ddl = Map.of("file", "binlog.000001", "pos", 15818436L, "gtids", "a:1-3154", "event", 1L);
        assertThat(SourcePosition.binlogReplay(ddl, ddl)).isTrue();
        assertThat(SourcePosition.binlogReplay(Map.of("file", "binlog.000001", "pos", 15818000L), ddl)).isFalse();
        assertThat(SourcePosition.binlogReplay(null, ddl)).isFalse();
        assertThat(SourcePosition.binlogReplay(Map.of("lsn", 300L), Map.of("lsn", 100L))).isFalse();
    }
}
