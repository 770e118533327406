package dev.overlap.checksum;

import java.util.List;

/**
 * The result of {@link Verifier#verify}: the {@code --json} report of {@code overlap verify}.
 *
 * @param equal whether every table is equal
 * @param tablesCompared tables compared
 * @param tablesDifferent tables that differ
 * @param sourceRows rows on the source, all tables
 * @param seconds wall time of the verification
 * @param live whether it ran against live replication (differences re-checked after the target applied past them)
 * @param tables one report per table, in the order asked
 */
public record VerifyReport(boolean equal, int tablesCompared, int tablesDifferent, long sourceRows, double seconds,
                           boolean live, List<TableReport> tables) {
}
