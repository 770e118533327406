package dev.overlap.checksum;

import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a read on the source in the caller's thread and the matching read on the target in a thread of
 * its own at the same time, so that both servers work on a chunk at once: a chunk costs the slower
 * side's time rather than the sum of both. One per verify worker; each side's connection is still used
 * by one thread at a time, because {@link #read} returns only when both reads have ended.
 */
final class SideBySide implements AutoCloseable {
    /** A read on one side. */
    @FunctionalInterface
    interface Read<T> {
        T run() throws SQLException;
    }

    /** What each side returned. */
    record Pair<T>(T source, T target) {
        boolean equal() {
            return source.equals(target);
        }
    }

    private final ExecutorService targetThread;

    /** @param threadName the name of the target side's thread */
    SideBySide(String threadName) {
        targetThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @return both results once both reads have ended
     * @throws SQLException the source's failure, else the target's
     * @throws InterruptedException when interrupted while waiting for the target
     */
    <T> Pair<T> read(Read<T> onSource, Read<T> onTarget) throws SQLException, InterruptedException {
        Future<T> target = targetThread.submit(onTarget::run);
        T source;
        try {
            source = onSource.run();
        } catch (SQLException | RuntimeException e) {
            awaitEnd(target);
            throw e;
        }
        return new Pair<>(source, join(target));
    }

    @Override
    public void close() {
        targetThread.shutdownNow();
    }

    private static <T> T join(Future<T> future) throws SQLException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Waits for a read whose result is no longer wanted, so its connection is free again. */
    private static void awaitEnd(Future<?> future) {
        try {
            future.get();
        } catch (ExecutionException e) {
            // the other side's failure is the one reported
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
