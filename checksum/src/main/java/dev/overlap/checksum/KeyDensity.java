package dev.overlap.checksum;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Rows per key value of a one-column integer key, learnt from the chunks read so far, turning a wanted
 * number of rows into a key span. Rows and spans are each decayed by 0.75 per chunk, as in
 * {@link ChunkSizer}, so recent chunks count most. The first guess is one row per key value (an
 * auto-increment key without gaps). A span at most doubles from the last one handed out, so that a
 * sparse stretch cannot make the next chunk swallow a dense one; it may shrink at once, as an oversized
 * chunk costs time and an undersized one only a short query. Thread-safe.
 */
final class KeyDensity {
    private static final double DECAY = 0.75;
    private double weightedRows;
    private double weightedSpan;
    private BigInteger lastSpan;

    /**
     * @param rows rows the next chunk should hold, {@code >= 1}
     * @return the key span expected to hold them: {@code >= 1}, at most twice the span returned before
     */
    synchronized BigInteger span(long rows) {
        // a unique integer key holds at most one row per value
        double density = weightedSpan > 0 ? Math.min(1.0, weightedRows / weightedSpan) : 1.0;
        BigInteger span = density > 0
                ? new BigDecimal(rows).divide(new BigDecimal(density), 0, RoundingMode.CEILING).toBigInteger()
                : null;
        if (lastSpan != null) {
            BigInteger doubled = lastSpan.shiftLeft(1);
            span = span == null ? doubled : span.min(doubled);
        }
        lastSpan = span.max(BigInteger.ONE);
        return lastSpan;
    }

    /**
     * @param rows rows a finished chunk held
     * @param span the span it was given, {@code >= 1}
     */
    synchronized void record(long rows, BigInteger span) {
        weightedRows = weightedRows * DECAY + rows;
        weightedSpan = weightedSpan * DECAY + span.doubleValue();
    }
}
