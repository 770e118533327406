package dev.overlap.replicator.pipeline;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.sql.SqlDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon per pipeline: a session lock on the target ({@link SqlDialect#tryDaemonLock}: an advisory lock on
 * PostgreSQL, {@code GET_LOCK} on MySQL/MariaDB), held on a connection of its own for the daemon's life. A second
 * daemon of the same pipeline gets a {@link UserError} naming the first (exit 2) before it writes anything.
 *
 * <p>The server releases the lock when the session ends, a kill -9 of the daemon included. Every
 * {@value #CHECK_SECONDS} s a watchdog checks the connection; a lost one (target restart, network partition)
 * is opened again and the lock taken again. When another daemon holds it by then, {@link #check()} throws, so
 * this daemon's next batch fails before it writes and the pipeline stops.
 */
final class DaemonLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonLock.class);
    private static final int CHECK_SECONDS = 5;
    /** The lock connection's socket timeout: a silent partition fails its check within this. */
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);

    private final Endpoint target;
    private final SqlDialect dialect;
    private final String pipeline;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "overlap-daemon-lock");
        t.setDaemon(true);
        return t;
    });
    private volatile Connection connection;
    /** The server session that holds the lock; a stale one of ours (its client gone, the server not yet aware) still guards it. */
    private volatile long session = -1;
    private volatile String lost;

    private DaemonLock(Endpoint target, SqlDialect dialect, String pipeline) {
        this.target = target;
        this.dialect = dialect;
        this.pipeline = pipeline;
    }

    /**
     * Takes the pipeline's lock on the target and starts the watchdog.
     *
     * @param target the target database
     * @param dialect the target's SQL
     * @param pipeline the pipeline's name
     * @return the held lock; close it to release
     * @throws UserError when another daemon of the pipeline holds it (naming that daemon's session), or the target
     *         cannot be reached
     */
    static DaemonLock acquire(Endpoint target, SqlDialect dialect, String pipeline) {
        DaemonLock lock = new DaemonLock(target, dialect, pipeline);
        String holder = lock.take();
        if (holder != null) {
            lock.watchdog.shutdownNow();
            throw new UserError("pipeline '" + pipeline + "' is already run by another daemon (" + holder + " on target "
                    + target.display() + "); stop that daemon first, or give this one another pipeline name");
        }
        lock.watchdog.scheduleWithFixedDelay(lock::watch, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
        return lock;
    }

    /**
     * @throws IllegalStateException when the lock was lost to another daemon; the caller must not write
     */
    void check() {
        String other = lost;
        if (other != null) {
            throw new IllegalStateException("pipeline '" + pipeline + "' lost its daemon lock on target " + target.display()
                    + " to another daemon (" + other + "); this daemon stops without applying more");
        }
    }

    /**
     * @return {@code null} once the lock is held, or while this daemon's own earlier session still holds it; else the
     *         other holder's description (the connection is closed then)
     */
    private String take() {
        Connection c = Connections.open(target, SOCKET_TIMEOUT);
        try {
            if (dialect.tryDaemonLock(c, pipeline)) {
                session = dialect.sessionId(c);
                connection = c;
                return null;
            }
            SqlDialect.DaemonLockHolder holder = dialect.daemonLockHolder(c, pipeline);
            if (holder != null && holder.session() == session) {
                // our earlier session, which the server has not yet seen end: no other daemon can hold the lock meanwhile
                connection = c;
                return null;
            }
            c.close();
            return holder == null ? "a session that has just ended" : holder.toString();
        } catch (SQLException e) {
            closeQuietly(c);
            throw Connections.explain(target, e);
        }
    }

    /** The watchdog: the lock is kept while its session lives; a session that ended is replaced, the lock taken again. */
    private void watch() {
        if (lost != null) {
            return;
        }
        try {
            if (connection.isValid(CHECK_SECONDS) && dialect.sessionId(connection) == session) {
                return;
            }
        } catch (SQLException e) {
            // not valid: taken again below
        }
        LOG.warn("pipeline {}: the session holding the daemon lock on target {} ended; taking the lock again", pipeline,
                target.display());
        closeQuietly(connection);
        try {
            String holder = take();
            if (holder != null) {
                lost = holder;
                LOG.error("pipeline {}: another daemon took the daemon lock ({}); this daemon stops", pipeline, holder);
            }
        } catch (UserError e) {
            LOG.warn("pipeline {}: cannot take the daemon lock again yet: {}", pipeline, e.getMessage());
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("closing the daemon lock connection: SQLState {}", e.getSQLState());
        }
    }

    /** Stops the watchdog and ends the lock's session, which releases the lock. */
    @Override
    public void close() {
        watchdog.shutdownNow();
        try {
            watchdog.awaitTermination(CHECK_SECONDS + 1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (connection != null) {
            closeQuietly(connection);
        }
    }
}
