package dev.overlap.checksum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChunkSizerTest {

    @Test
    void startsAtTheInitialSize() {
        assertThat(new ChunkSizer(Duration.ofMillis(500), 10_000, 100, 1_000_000).nextRows()).isEqualTo(10_000);
    }

    @Test
    void convergesOnTheTargetTime() {
        ChunkSizer sizer = new ChunkSizer(Duration.ofMillis(500), 10_000, 100, 10_000_000);
        for (int i = 0; i < 20; i++) {
            long rows = sizer.nextRows();
            sizer.record(rows, Duration.ofNanos(rows * 1_000)); // 1 µs per row: 500,000 rows per 0.5 s
        }
        assertThat(sizer.nextRows()).isBetween(490_000L, 510_000L);
    }

    @Test
    void neverMoreThanDoublesOrHalvesAtOnce() {
        ChunkSizer sizer = new ChunkSizer(Duration.ofMillis(500), 10_000, 100, 10_000_000);
        sizer.record(10_000, Duration.ofMillis(1));
        assertThat(sizer.nextRows()).isEqualTo(20_000);
        ChunkSizer slow = new ChunkSizer(Duration.ofMillis(500), 10_000, 100, 10_000_000);
        slow.record(10_000, Duration.ofSeconds(60));
        assertThat(slow.nextRows()).isEqualTo(5_000);
    }

    @Test
    void staysWithinItsBounds() {
        ChunkSizer sizer = new ChunkSizer(Duration.ofMillis(500), 150, 100, 200);
        sizer.record(150, Duration.ofMillis(1));
        assertThat(sizer.nextRows()).isEqualTo(200);
        for (int i = 0; i < 10; i++) {
            sizer.record(200, Duration.ofSeconds(100));
        }
        assertThat(sizer.nextRows()).isEqualTo(100);
        assertThatThrownBy(() -> new ChunkSizer(Duration.ZERO, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEmptyChunkChangesNothing() {
        ChunkSizer sizer = new ChunkSizer(Duration.ofMillis(500), 10_000, 100, 1_000_000);
        sizer.record(0, Duration.ofSeconds(5));
        assertThat(sizer.nextRows()).isEqualTo(10_000);
    }
}
