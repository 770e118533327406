package dev.overlap.lag;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * What {@code GET /status} answers and {@code overlap status} prints: one JSON object.
 *
 * @param pipeline pipeline name
 * @param direction {@code forward} (old host to new host) or {@code reverse} (new host back to old, after promote)
 * @param state life-cycle state, e.g. {@code streaming}
 * @param healthy whether {@code /health} answers 200
 * @param lagSeconds heartbeat lag, s
 * @param maxLagSeconds the health threshold, s
 * @param backlogBytes source bytes not yet confirmed, -1 when not probed yet
 * @param rowsPerSecond events applied per second over the last 10 s
 * @param eventsApplied events applied since start
 * @param position source position of the last committed batch, or {@code null}
 * @param startedAt when the daemon started
 * @param lastError the newest error, or {@code null}
 * @param snapshot where the initial copy stands while it runs, else {@code null}
 */
public record StatusReport(String pipeline, String direction, String state, boolean healthy,
                           @JsonProperty("lag_seconds") double lagSeconds,
                           @JsonProperty("max_lag_seconds") double maxLagSeconds,
                           @JsonProperty("backlog_bytes") long backlogBytes,
                           @JsonProperty("rows_per_second") double rowsPerSecond,
                           @JsonProperty("events_applied") long eventsApplied,
                           String position,
                           @JsonProperty("started_at") Instant startedAt,
                           @JsonProperty("last_error") PipelineMetrics.LastError lastError,
                           PipelineMetrics.SnapshotProgress snapshot) {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * @param metrics the pipeline's metrics
     * @param lag its lag monitor
     * @return the status now
     */
    public static StatusReport of(PipelineMetrics metrics, LagMonitor lag) {
        return new StatusReport(metrics.pipeline(), metrics.direction(), metrics.stateLabel(), lag.healthy(), lag.lagSeconds(),
                lag.maxLag().toMillis() / 1000.0, lag.backlogBytes(), metrics.rowsPerSecond(), metrics.appliedTotal(),
                metrics.position(), metrics.startedAt(), metrics.lastError(), metrics.snapshotProgress());
    }

    /** @return the report as one JSON object */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param json what {@link #toJson()} wrote
     * @return the report
     * @throws UncheckedIOException when the text is not such a report
     */
    public static StatusReport fromJson(String json) {
        try {
            return JSON.readValue(json, StatusReport.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
