package dev.overlap.replicator.promote;

/**
 * The cutover's states, in order (docs/ARCHITECTURE.md, "Promote"). A failure before {@link #OPEN_TARGET}
 * returns the source to writable (exit 4); {@link #OPEN_TARGET} is the point of no return.
 */
public enum PromoteState {
    /** streaming, lag below promote.max-lag, no failure, privileges for every later step */
    PRECHECK,
    /** promote.verify exact: every table verified while the source still takes writes, unless a recent pass did */
    VERIFY_LIVE,
    /** promote.reverse: the reverse direction's publication, heartbeat and triggers set up, before the freeze */
    READY_REVERSE,
    /** source read-only for new sessions and the application's sessions ended */
    FREEZE_SOURCE,
    /** a unique fence row written on the source */
    FENCE,
    /** wait until the target applied the fence, so every write the source accepted is on the target */
    CATCH_UP,
    /** compare source and target (promote.verify) */
    VERIFY,
    /** target sequences set from the source */
    FIX_SEQUENCES,
    /** promote.reverse: the other direction's start point created on the still closed target */
    PREPARE_REVERSE,
    /** the change stream stopped */
    STOP_STREAM,
    /** the target opened for writes: the point of no return */
    OPEN_TARGET,
    /** done: the target is the master */
    PROMOTED
}
