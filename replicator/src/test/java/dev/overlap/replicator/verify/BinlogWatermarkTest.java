package dev.overlap.replicator.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.replicator.offset.StoredOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BinlogWatermarkTest {

    @Test
    void positionsCompareByFileSequenceThenByte() {
        BinlogWatermark.Position p = new BinlogWatermark.Position("binlog.000009", 500, "");
        assertThat(new BinlogWatermark.Position("binlog.000009", 500, "").atOrAfter(p)).isTrue();
        assertThat(new BinlogWatermark.Position("binlog.000009", 499, "").atOrAfter(p)).isFalse();
        assertThat(new BinlogWatermark.Position("binlog.000010", 4, "").atOrAfter(p)).as("numeric, not text order").isTrue();
        assertThat(new BinlogWatermark.Position("binlog.000008", 9_999_999, "").atOrAfter(p)).isFalse();
    }

    @Test
    void storedOffsetGivesDebeziumsFileAndPosition() {
        StoredOffset offset = new StoredOffset(Map.of("server", "shop"),
                Map.of("file", "binlog.000003", "pos", 1234, "gtids", "0-1-42", "event", 2, "row", 1));
        assertThat(BinlogWatermark.stored(offset)).isEqualTo(new BinlogWatermark.Position("binlog.000003", 1234, "0-1-42"));
        assertThat(BinlogWatermark.stored(new StoredOffset(Map.of(), Map.of("lsn", 5L)))).isNull();
    }
}
