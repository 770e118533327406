package dev.overlap.replicator.offset;

import java.util.Map;

/**
 * The source position of the last change applied to the target, as Debezium describes it.
 *
 * @param partition Debezium source partition, e.g. {@code {server=shop}}
 * @param offset Debezium source offset, read through {@link SourcePosition}
 */
public record StoredOffset(Map<String, Object> partition, Map<String, Object> offset) {

    /** @return the typed position of this offset */
    public SourcePosition position() {
        return SourcePosition.of(offset);
    }
}
