package dev.overlap.checksum;

import dev.overlap.checksum.SideBySide.Pair;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares one chunk of one table and, when it differs, finds the differing rows: re-checks under live
 * replication, bisects the key range (split at the middle key of the side with more rows, re-hash both
 * halves, descend into the differing ones) until a range holds at most
 * {@link VerifyOptions#bisectRows} rows, then fetches those rows on both sides and compares them by key.
 *
 * <p>Under live replication ({@link ReplicationWatermark} given) a differing chunk is re-read with the
 * target read only after it has applied past the source position read right after the source read. If
 * it still differs, its rows are compared page by page, each page re-checked the same way
 * {@link VerifyOptions#rechecks} times, and only row differences present in every read count: the chunk
 * differs only when such a stable row difference exists, and those rows are listed even without
 * {@link VerifyOptions#rowLevel}. So changes in flight are not reported, while a busy chunk costs a
 * few waits of about the replication lag each. A chunk whose differences all turn out in flight is
 * counted as read once more after the target caught up, so that its row counts agree with the verdict.
 */
final class ChunkComparer {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkComparer.class);
    private final TableSide source;
    private final TableSide target;
    private final TableSchema table;
    private final VerifyOptions options;
    private final ReplicationWatermark watermark;
    private final TableTally tally;
    private final SideBySide sides;

    /** Something read on one side. */
    @FunctionalInterface
    private interface Read<T> {
        T from(TableSide side) throws SQLException;
    }

    /**
     * @param watermark the replication watermark, or {@code null} when nothing replicates during the run
     * @param sides the worker's means to read both sides at once
     */
    ChunkComparer(TableSide source, TableSide target, TableSchema table, VerifyOptions options,
                  ReplicationWatermark watermark, TableTally tally, SideBySide sides) {
        this.sides = sides;
        this.source = source;
        this.target = target;
        this.table = table;
        this.options = options;
        this.watermark = watermark;
        this.tally = tally;
    }

    /**
     * @param range the chunk
     * @return the chunk's digest on the source
     * @throws SQLException when either side fails
     * @throws InterruptedException when interrupted while waiting for the target
     */
    ChunkDigest compare(KeyRange range) throws SQLException, InterruptedException {
        Pair<ChunkDigest> digests = read(side -> side.digest(range), false);
        if (!digests.equal() && watermark != null) {
            digests = read(side -> side.digest(range), true);
        }
        if (digests.equal()) {
            tally.chunk(digests.source().rows(), digests.target().rows());
            return digests.source();
        }
        ChunkDifference difference = new ChunkDifference(bound(range.lower()), bound(range.upper()),
                digests.source().rows(), digests.target().rows());
        if (watermark != null && table.hasKey()) {
            List<RowDifference> stable = pageRows(range);
            if (stable.isEmpty()) {
                // every difference was in flight: count the chunk as it reads now that the target caught up
                digests = read(side -> side.digest(range), true);
            } else {
                tally.chunkDiffers(difference);
                tally.rows(stable);
            }
            tally.chunk(digests.source().rows(), digests.target().rows());
        } else {
            tally.chunk(digests.source().rows(), digests.target().rows());
            tally.chunkDiffers(difference);
            if (options.rowLevel() && table.hasKey()) {
                locate(range, digests);
            }
        }
        return digests.source();
    }

    /**
     * Under live replication a chunk that still differs after a re-check may only be busy: its rows are
     * compared page by page ({@link VerifyOptions#bisectRows} source rows each), and the chunk differs
     * only if some row difference is stable. Hashing halves would not help here, as every half of a
     * busy chunk differs too.
     */
    private List<RowDifference> pageRows(KeyRange range) throws SQLException, InterruptedException {
        List<RowDifference> stable = new ArrayList<>();
        Key lower = range.lower();
        while (true) {
            Optional<Key> pageEnd = source.keyAt(new KeyRange(lower, range.upper()), options.bisectRows() - 1);
            KeyRange page = new KeyRange(lower, pageEnd.orElse(range.upper()));
            stable.addAll(compareRows(page));
            if (pageEnd.isEmpty() || pageEnd.get().equals(range.upper())) {
                return stable;
            }
            lower = pageEnd.get();
        }
    }

    /**
     * Bisects a differing range of a quiet table (no replication running) down to rows. Each half lacks at
     * least one row of the side the middle key came from, so when both sides order the keys alike the
     * rows in a half (both sides together) are fewer than in the range and the bisection ends. When they
     * are not fewer, the sides order the keys differently (a text key's collation, or the same collation
     * in another library version): ranges then hold other rows on each side, and the bisection stops
     * there rather than descend without end; the chunk is already reported as differing.
     */
    private void locate(KeyRange range, Pair<ChunkDigest> digests) throws SQLException, InterruptedException {
        long sourceRows = digests.source().rows();
        long targetRows = digests.target().rows();
        long larger = Math.max(sourceRows, targetRows);
        if (larger <= options.bisectRows()) {
            tally.rows(compareRows(range));
            return;
        }
        if (sourceRows == 0 || targetRows == 0) {
            oneSided(range, sourceRows == 0 ? RowDifference.Kind.EXTRA : RowDifference.Kind.MISSING, larger);
            return;
        }
        Optional<Key> middle = (sourceRows >= targetRows ? source : target).keyAt(range, larger / 2 - 1);
        for (KeyRange half : List.of(new KeyRange(range.lower(), middle.orElseThrow()), new KeyRange(middle.get(), range.upper()))) {
            Pair<ChunkDigest> halfDigests = read(side -> side.digest(half), false);
            if (halfDigests.source().rows() + halfDigests.target().rows() >= sourceRows + targetRows) {
                LOG.warn("{}: the source and the target order the keys between {} and {} differently (collations?);"
                        + " its rows are not compared one by one", table.name(), bound(range.lower()), bound(range.upper()));
                return;
            }
            if (!halfDigests.equal()) {
                locate(half, halfDigests);
            }
        }
    }

    /** A range that only one side holds rows in: counts them all, lists the first. */
    private void oneSided(KeyRange range, RowDifference.Kind kind, long rows) throws SQLException {
        TableSide side = kind == RowDifference.Kind.MISSING ? source : target;
        int listed = (int) Math.min(rows, Math.max(0, tally.listRoom()));
        List<Row> first = side.rows(range, listed);
        List<RowDifference> differences = kind == RowDifference.Kind.MISSING
                ? RowComparison.compare(table, first, List.of()) : RowComparison.compare(table, List.of(), first);
        tally.rows(differences);
        tally.unlisted(kind, rows - differences.size());
    }

    /**
     * @return the range's row differences; under live replication only those present in every re-check
     *         (a row that matches in a later read is on the target, whether or not the wait for the
     *         target timed out; one still differing after a timed-out wait is reported, and may be in flight)
     */
    private List<RowDifference> compareRows(KeyRange range) throws SQLException, InterruptedException {
        int limit = options.bisectRows() * 2;
        Pair<List<Row>> rows = read(side -> side.rows(range, limit), watermark != null);
        List<RowDifference> stable = new ArrayList<>(RowComparison.compare(table, rows.source(), rows.target()));
        for (int i = 0; i < options.rechecks() && !stable.isEmpty() && watermark != null; i++) {
            Pair<List<Row>> again = read(side -> side.rows(range, limit), true);
            stable.retainAll(RowComparison.compare(table, again.source(), again.target()));
        }
        return stable;
    }

    /**
     * Reads both sides at once; with {@code awaitTarget}, the source first and the target only after it
     * has applied past the source position read right after the source read.
     */
    private <T> Pair<T> read(Read<T> read, boolean awaitTarget) throws SQLException, InterruptedException {
        if (!awaitTarget) {
            return sides.read(() -> read.from(source), () -> read.from(target));
        }
        T onSource = read.from(source);
        Object position = watermark.sourcePosition(source.connection());
        if (!watermark.awaitApplied(position, options.recheckTimeout())) {
            LOG.warn("{}: the target has not applied up to source position {} after {}; comparing anyway (a difference"
                    + " that remains may be in flight: verify again once the lag is low)",
                    table.name(), position, options.recheckTimeout());
        }
        return new Pair<>(onSource, read.from(target));
    }

    private java.util.Map<String, String> bound(Key key) {
        return key == null ? null : key.named(table.key());
    }
}
