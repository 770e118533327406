package dev.overlap.replicator.verify;

import dev.overlap.replicator.offset.OffsetStore;
import dev.overlap.replicator.offset.StoredOffset;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits, polling every 200 ms on one target connection, until the pipeline's stored offset in
 * {@code overlap_offsets} passes a test: the applied side of a {@link dev.overlap.checksum.ReplicationWatermark}.
 */
public final class AppliedOffsets {
    private static final Duration POLL = Duration.ofMillis(200);
    private final OffsetStore offsets;
    private final Supplier<Connection> target;

    /**
     * @param offsets the pipeline's offset store on the target
     * @param target opens a connection to the target for each wait
     */
    public AppliedOffsets(OffsetStore offsets, Supplier<Connection> target) {
        this.offsets = offsets;
        this.target = target;
    }

    /**
     * @param reached whether a stored offset has got far enough
     * @param timeout most time to wait
     * @return whether it got there within the timeout
     * @throws SQLException when the offset cannot be read
     * @throws InterruptedException when interrupted
     */
    public boolean await(Predicate<StoredOffset> reached, Duration timeout) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection connection = target.get()) {
            while (true) {
                Optional<StoredOffset> applied = offsets.load(connection);
                if (applied.isPresent() && reached.test(applied.get())) {
                    return true;
                }
                if (System.nanoTime() >= deadline) {
                    return false;
                }
                Thread.sleep(POLL.toMillis());
            }
        }
    }
}
