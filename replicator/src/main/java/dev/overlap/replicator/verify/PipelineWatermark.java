package dev.overlap.replicator.verify;

import dev.overlap.checksum.ReplicationWatermark;
import java.sql.Connection;
import java.sql.SQLException;

/** A pipeline's {@link ReplicationWatermark}, which can also tell whether the pipeline replicates at all. */
public interface PipelineWatermark extends ReplicationWatermark {

    /**
     * @param target a connection to the target
     * @return whether the pipeline has an offset on the target, i.e. replication runs or has run, so that
     *         verifying needs the watermark
     * @throws SQLException when the offsets table exists but cannot be read
     */
    boolean replicating(Connection target) throws SQLException;
}
