package dev.overlap.replicator.promote;

import dev.overlap.lag.LagMonitor;
import dev.overlap.lag.PipelineMetrics;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.lifecycle.Lifecycle;
import java.util.List;

/**
 * What the cutover needs of the running pipeline, and nothing more: the pipeline implements it, so the
 * {@link Promoter} steers the pipeline without depending on it.
 */
public interface PipelineControl {

    /** @return the pipeline's life-cycle state, which promote moves through PROMOTING to PROMOTED (or back) */
    Lifecycle lifecycle();

    /** @return the pipeline's metrics, where promote counts its errors */
    PipelineMetrics metrics();

    /** @return the pipeline's lag monitor, for PRECHECK's lag test */
    LagMonitor lag();

    /** @return what stopped the stream, or {@code null} while it runs */
    Throwable failure();

    /** @return the heartbeat table, on the source and the target: where the fence is written and awaited */
    TableId heartbeatTable();

    /** @return the replicated tables, without Overlap's own */
    List<TableId> tables();

    /** @param pause whether the heartbeat writer stops writing to the source (from the freeze on) */
    void pauseHeartbeat(boolean pause);

    /** Stops the change stream after the batch in hand (STOP_STREAM); the HTTP server keeps serving. */
    void stopStream();
}
