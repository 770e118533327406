package dev.overlap.lag;

import java.util.Locale;

/** The life-cycle states of a pipeline, exported as the {@code overlap_state} gauge. */
public enum PipelineState {
    STARTING, SNAPSHOTTING, STREAMING, PROMOTING, PROMOTED, STOPPED, FAILED;

    /** @return the lower-case label used in metrics and status output */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
