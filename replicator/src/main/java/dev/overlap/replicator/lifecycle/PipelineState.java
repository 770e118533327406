package dev.overlap.replicator.lifecycle;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The life-cycle states of a pipeline, held by its {@link Lifecycle} and exported as the {@code overlap_state} gauge. */
public enum PipelineState {
    /** checking the databases, deciding where to start */
    STARTING,
    /** copying the existing rows (the initial snapshot) */
    SNAPSHOTTING,
    /** streaming changes */
    STREAMING,
    /** the cutover runs */
    PROMOTING,
    /** the target is the master; nothing replicates onto it */
    PROMOTED,
    /** stopped on request */
    STOPPED,
    /** stopped by a failure */
    FAILED;

    /** @return the lower-case label used in metrics and status output */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return every state's label, in declaration order */
    public static List<String> labels() {
        return Arrays.stream(values()).map(PipelineState::label).toList();
    }
}
