package dev.overlap.replicator.offset;

import java.util.Locale;
import java.util.Map;

/**
 * A position in the source's change stream, typed: a PostgreSQL LSN, or a MySQL/MariaDB binlog file and
 * position with the GTID set. The only reader of Debezium's offset keys ({@code lsn}; {@code file},
 * {@code pos}, {@code gtids}; {@code snapshot}, {@code last_snapshot_record}), as its connectors write them
 * (Debezium reference, "PostgreSQL connector" and "MySQL connector": offsets); everything else handles
 * offsets as opaque maps and asks this type.
 */
public sealed interface SourcePosition permits SourcePosition.Lsn, SourcePosition.BinlogPosition, SourcePosition.Other {

    /**
     * @param offset a Debezium source offset, or {@code null}
     * @return its position, or {@code null} for {@code null}
     */
    static SourcePosition of(Map<String, ?> offset) {
        if (offset == null) {
            return null;
        }
        boolean snapshot = snapshotInProgress(offset);
        if (offset.get("file") != null && offset.get("pos") instanceof Number pos) {
            Object gtids = offset.get("gtids");
            return new BinlogPosition(offset.get("file").toString(), pos.longValue(),
                    gtids == null || gtids.toString().isBlank() ? null : gtids.toString(), snapshot);
        }
        if (offset.get("lsn") instanceof Number lsn) {
            return new Lsn(lsn.longValue(), snapshot);
        }
        return new Other(String.valueOf(offset), snapshot);
    }

    /**
     * @param pipeline the pipeline name, the connector's {@code topic.prefix}
     * @return Debezium's source partition of the pipeline's connector: {@code {"server": pipeline}}
     */
    static Map<String, Object> partition(String pipeline) {
        return Map.of("server", pipeline);
    }

    /**
     * @param offset a Debezium source offset
     * @return whether Overlap wrote it at the end of its initial copy ({@link #afterCopyOffset()}), so that
     *         the connector has not streamed from it yet
     */
    static boolean afterCopy(Map<String, ?> offset) {
        return Boolean.TRUE.equals(offset.get(AFTER_COPY_KEY));
    }

    /**
     * Whether the stream got to a point: an LSN at or after the other, or a binlog position at or after the
     * other by file, byte position, then events and rows into the transaction there (the connectors'
     * {@code event} and {@code row} keys), so that a batch that ends inside a transaction is before one that
     * ends later in it.
     *
     * @param offset a Debezium source offset
     * @param point another offset of the same pipeline, or {@code null}
     * @return whether {@code offset} is at or after {@code point}; {@code true} for a {@code null} point and for
     *         offsets that cannot be compared (different kinds, or neither an LSN nor a binlog position)
     */
    static boolean reached(Map<String, ?> offset, Map<String, ?> point) {
        if (point == null) {
            return true;
        }
        SourcePosition a = of(offset);
        SourcePosition b = of(point);
        if (a instanceof Lsn x && b instanceof Lsn y) {
            return x.value() >= y.value();
        }
        if (a instanceof BinlogPosition x && b instanceof BinlogPosition y) {
            if (!x.file().equals(y.file()) || x.position() != y.position()) {
                return x.atOrAfter(y);
            }
            long events = count(offset, "event") - count(point, "event");
            return events != 0 ? events > 0 : count(offset, "row") >= count(point, "row");
        }
        return true;
    }

    /**
     * Whether a binlog event is one the target already holds: both are binlog positions and the stored one is at or
     * after the event's. The binlog connectors deliver a DDL statement again after a restart from the offset stored
     * with it (seen with Debezium 3.4); binlog positions grow in stream order, so the test is exact there. Never for
     * LSNs: a transaction decoded after another may hold changes at lower LSNs than the other's commit.
     *
     * @param stored the offset the target holds, or {@code null}
     * @param event the offset of a batch about to be applied
     * @return whether the batch was applied before
     */
    static boolean binlogReplay(Map<String, ?> stored, Map<String, ?> event) {
        return stored != null && of(stored) instanceof BinlogPosition && of(event) instanceof BinlogPosition && reached(stored, event);
    }

    private static long count(Map<String, ?> offset, String key) {
        return offset.get(key) instanceof Number n ? n.longValue() : 0;
    }

    /** The key Overlap adds to the offset it writes after its initial copy; the connectors ignore it. */
    String AFTER_COPY_KEY = "overlap_copied";

    /**
     * @return the Debezium offset from which the connector streams after Overlap's own initial copy: this
     *         position, with {@link #AFTER_COPY_KEY}
     * @throws UnsupportedOperationException for a position of neither kind
     */
    Map<String, Object> afterCopyOffset();

    /** @return whether the offset was taken inside an initial snapshot that has not finished */
    boolean snapshotInProgress();

    /** @return the position for logs and {@code /status}: {@code lsn 0/16B3748}, {@code binlog binlog.000003:1234} */
    String describe();

    /**
     * A PostgreSQL log sequence number.
     *
     * @param value the LSN as a byte position in the WAL
     * @param snapshotInProgress whether it was taken inside an unfinished initial snapshot
     */
    record Lsn(long value, boolean snapshotInProgress) implements SourcePosition {
        /** @return {@code {"lsn": value}}: the PostgreSQL connector streams the slot from there */
        @Override
        public Map<String, Object> afterCopyOffset() {
            return Map.of("lsn", value, AFTER_COPY_KEY, true);
        }

        @Override
        public String describe() {
            return "lsn " + Long.toHexString(value >>> 32).toUpperCase(Locale.ROOT) + "/"
                    + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
        }
    }

    /**
     * A MySQL/MariaDB binlog position.
     *
     * @param file the binlog file, e.g. {@code binlog.000003}
     * @param position the byte position in it
     * @param gtids the executed GTID set, or {@code null} when the server has GTIDs off
     * @param snapshotInProgress whether it was taken inside an unfinished initial snapshot
     */
    record BinlogPosition(String file, long position, String gtids, boolean snapshotInProgress) implements SourcePosition {

        /** @return {@code {"file", "pos"}} and {@code "gtids"} when the server has them */
        @Override
        public Map<String, Object> afterCopyOffset() {
            Map<String, Object> offset = new java.util.LinkedHashMap<>();
            offset.put("file", file);
            offset.put("pos", position);
            if (gtids != null) {
                offset.put("gtids", gtids);
            }
            offset.put(AFTER_COPY_KEY, true);
            return offset;
        }

        /**
         * @param other another position of the same server
         * @return whether this one is at or after it: a later file (by the number after its last dot), or the
         *         same file and byte or later
         * @throws IllegalStateException when a file name has no numeric suffix
         */
        public boolean atOrAfter(BinlogPosition other) {
            long mine = sequence(file);
            long theirs = sequence(other.file);
            return mine != theirs ? mine > theirs : position >= other.position;
        }

        private static long sequence(String file) {
            String suffix = file.substring(file.lastIndexOf('.') + 1);
            try {
                return Long.parseLong(suffix);
            } catch (NumberFormatException e) {
                throw new IllegalStateException("binlog file name without a numeric suffix: " + file, e);
            }
        }

        @Override
        public String describe() {
            return "binlog " + file + ":" + position + (gtids == null ? "" : " gtids " + gtids);
        }
    }

    /**
     * An offset of neither kind (an engine's early offset before its first position).
     *
     * @param text the offset's map as text
     * @param snapshotInProgress whether it was taken inside an unfinished initial snapshot
     */
    record Other(String text, boolean snapshotInProgress) implements SourcePosition {
        @Override
        public Map<String, Object> afterCopyOffset() {
            throw new UnsupportedOperationException("no stream position: " + text);
        }

        @Override
        public String describe() {
            return text;
        }
    }

    private static boolean snapshotInProgress(Map<String, ?> offset) {
        Object snapshot = offset.get("snapshot");
        Object last = offset.get("last_snapshot_record");
        boolean inSnapshot = snapshot != null && !Boolean.FALSE.equals(snapshot) && !"false".equalsIgnoreCase(snapshot.toString());
        return inSnapshot && !Boolean.TRUE.equals(last) && !"true".equals(String.valueOf(last));
    }
}
