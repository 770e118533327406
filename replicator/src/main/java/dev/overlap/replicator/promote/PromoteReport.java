package dev.overlap.replicator.promote;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * What {@code overlap promote} reports, as JSON on stdout with {@code --json}.
 *
 * @param pipeline the pipeline
 * @param outcome {@code promoted}, {@code dry_run}, {@code aborted} (source writable again) or
 *        {@code failed} (after the point of no return; {@code state} names where)
 * @param state the last state entered
 * @param steps each state entered with its duration, ms, in order
 * @param writeDowntimeMs source frozen until target open, ms; {@code null} when the source was not frozen
 * @param expectedWriteDowntimeMs for a dry run: the fence round trip plus the verification, ms
 * @param frozenAt when the freeze took effect (application sessions ended), or {@code null}
 * @param openedAt when the target opened, or {@code null}
 * @param sequences sequences set on the target
 * @param tables tables verified
 * @param error why it aborted or failed, or {@code null}
 * @param warnings problems after the point of no return that did not undo the promotion
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PromoteReport(String pipeline, String outcome, PromoteState state, List<Step> steps,
                            @JsonProperty("write_downtime_ms") Long writeDowntimeMs,
                            @JsonProperty("expected_write_downtime_ms") Long expectedWriteDowntimeMs,
                            @JsonProperty("frozen_at") Instant frozenAt,
                            @JsonProperty("opened_at") Instant openedAt,
                            Integer sequences, Integer tables, String error, List<String> warnings) {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * @param state a state entered
     * @param ms how long it took, ms
     */
    public record Step(PromoteState state, long ms) {
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
     * @throws UncheckedIOException when the text is not a report
     */
    public static PromoteReport fromJson(String json) {
        try {
            return JSON.readValue(json, PromoteReport.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
