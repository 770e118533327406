package dev.overlap.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class KeyDensityTest {

    @Test
    void firstGuessIsOneRowPerKeyValue() {
        assertThat(new KeyDensity().span(10_000)).isEqualTo(BigInteger.valueOf(10_000));
    }

    @Test
    void learnsTheDensityOfSparseKeysDoublingAtMostPerChunk() {
        KeyDensity density = new KeyDensity();
        BigInteger span = density.span(1_000);
        int chunks = 1;
        // keys 1,000 apart: 1,000 rows need a span of 1,000,000
        while (span.compareTo(BigInteger.valueOf(1_000_000)) < 0) {
            density.record(span.longValue() / 1_000, span);
            BigInteger next = density.span(1_000);
            assertThat(next).isLessThanOrEqualTo(span.shiftLeft(1));
            span = next;
            chunks++;
        }
        assertThat(span).isEqualTo(BigInteger.valueOf(1_000_000));
        assertThat(chunks).as("10 doublings from 1,000 to 1,000,000").isBetween(10, 12);
    }

    @Test
    void shrinksAtOnceWhenTheKeysTurnDense() {
        KeyDensity density = new KeyDensity();
        density.span(100);
        density.record(1, BigInteger.valueOf(100));
        BigInteger sparse = density.span(100);
        assertThat(sparse).isEqualTo(BigInteger.valueOf(200));
        for (int i = 0; i < 10; i++) {
            density.record(200, BigInteger.valueOf(200));
        }
        assertThat(density.span(100)).as("the old sparse chunk has decayed to nothing").isBetween(BigInteger.valueOf(100),
                BigInteger.valueOf(102));
    }

    @Test
    void emptyChunksOnlyWidenTheSpanByDoubling() {
        KeyDensity density = new KeyDensity();
        density.span(10);
        density.record(0, BigInteger.TEN);
        assertThat(density.span(10)).isEqualTo(BigInteger.valueOf(20));
        assertThat(density.span(10)).isEqualTo(BigInteger.valueOf(40));
    }

    @Test
    void spansBeyondLongForUnsignedBigintKeys() {
        KeyDensity density = new KeyDensity();
        BigInteger span = density.span(1);
        for (int i = 0; i < 70; i++) {
            density.record(0, span);
            span = density.span(1);
        }
        assertThat(span).isGreaterThan(BigInteger.valueOf(Long.MAX_VALUE));
    }
}
