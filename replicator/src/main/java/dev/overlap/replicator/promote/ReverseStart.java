package dev.overlap.replicator.promote;

import java.sql.SQLException;
import java.util.List;

/**
 * The other direction's start point, which a cutover prepares while its target is still closed (README, "Reverse
 * replication and rollback"): on PostgreSQL a replication slot and publication on the target, on MySQL/MariaDB the
 * target's binlog position, stored as the other direction's offset on this cutover's source. Created after the
 * catch-up, it lies after every change the stream applied and before every write the opened target takes, so the other
 * direction replicates exactly the writes made after the switch. The pipeline package implements it (it connects the
 * other direction's engine), so the {@link Promoter} depends on this interface only.
 */
public interface ReverseStart {

    /**
     * PRECHECK's part: whether the target can be read as a source (PostgreSQL {@code wal_level = logical} and the
     * REPLICATION attribute; MySQL/MariaDB the binlog on, ROW format, full row images and the replication grants), and
     * the source written as a target while it stays frozen. Changes nothing.
     *
     * @return the problems, each naming the fix; empty when the other direction can be prepared
     */
    List<String> precheck();

    /**
     * READY_REVERSE, before the freeze: everything of the other direction that does not depend on the position, so that
     * the freeze is not longer for it: a start point an earlier cycle left dropped, the target checked as a source, its
     * heartbeat table, publication and DDL triggers, and the other direction's offset, failure and copy stores on the
     * source emptied (not its promotion record, which holds until {@link #forgetOtherPromotion}).
     *
     * @throws SQLException when a host refuses
     * @throws dev.overlap.replicator.UserError when the target cannot be read as a source
     */
    void ready() throws SQLException;

    /**
     * PREPARE_REVERSE, after {@link #ready}: creates the start point on the target and stores it as the other
     * direction's offset on the source.
     *
     * @throws SQLException when a host refuses
     */
    void prepare() throws SQLException;

    /** After an abort, once {@link #ready} began: drops what it and the start point created, best effort, so the target keeps no WAL for it. */
    void discard();

    /**
     * PROMOTED: clears the other direction's promotion record (on this cutover's source), so that it is no longer taken
     * for the direction that runs.
     *
     * @throws SQLException when the source refuses
     */
    void forgetOtherPromotion() throws SQLException;
}
