package dev.overlap.replicator.sql;

import java.sql.SQLException;
import java.util.Locale;

/**
 * What a failed statement on the target means, in words that carry no row value: the SQL state, the
 * object it names (constraint, index, column) and the fix. Server messages are never passed on whole,
 * since PostgreSQL's {@code Key (email)=(…)} detail and MySQL's {@code Duplicate entry '…'} hold row values.
 *
 * <p>Names come from the dialect ({@link SqlDialect#errorNames}): PostgreSQL's error fields, the
 * identifiers MySQL and MariaDB quote in their messages. Error codes are MySQL's and MariaDB's (MySQL
 * manual, "Server Error Message Reference": 1062, 1048, 1264, 1406, 1153).
 *
 * @param sqlState the SQL state, or {@code "?"} when the driver gave none
 * @param cause the kind of failure and the object it names, e.g. {@code unique violation on users_email_key}
 * @param fix what the operator does about it
 * @param transientFailure whether a retry of the batch may succeed: a lost connection, a deadlock, a lock
 *        or serialization timeout, a server shutting down
 */
public record SqlFailure(String sqlState, String cause, String fix, boolean transientFailure) {
    private static final String REPLAY = "; then restart overlap, which resumes with this batch";

    /**
     * @param e a failure of a statement of the apply
     * @param keyColumns the key columns of the statement that failed, empty when unknown
     * @param names the constraint and column the error names ({@link SqlDialect#errorNames})
     * @return its description
     */
    public static SqlFailure of(SQLException e, java.util.List<String> keyColumns, SqlDialect.ErrorNames names) {
        String state = e.getSQLState() == null ? "?" : e.getSQLState();
        int code = e.getErrorCode();
        String message = String.valueOf(e.getMessage());
        if (code == 1153 || code == 1301 || message.toLowerCase(Locale.ROOT).contains("packet for query is too large")
                || message.toLowerCase(Locale.ROOT).contains("max_allowed_packet")) {
            return new SqlFailure(state, "a row larger than the target's max_allowed_packet",
                    "raise max_allowed_packet on the target (SET GLOBAL max_allowed_packet, and in my.cnf) to at least the"
                            + " source's" + REPLAY, false);
        }
        if (state.startsWith("08") || TRANSIENT_STATES.contains(state) || code == 1205 || code == 1213) {
            return new SqlFailure(state, "a lost connection, deadlock or lock timeout (SQLState " + state + ")",
                    "retried", true);
        }
        String constraint = names.constraint();
        String column = names.column();
        if (state.equals("23505") || code == 1062 || code == 1586) {
            return new SqlFailure(state, "unique violation" + on(constraint),
                    "a unique index of the target collides with a row the source wrote: the target has a unique index the"
                            + " source lacks (drop it until promote) or holds rows the source does not (overlap verify --rows"
                            + " names them; delete them)" + REPLAY, false);
        }
        if (code == 1048 && keyColumns.contains(column)) {
            return new SqlFailure(state, "an upsert matched another target row on a unique index", uniqueMismatch(), false);
        }
        if (code == 1048 || state.equals("23502")) {
            return new SqlFailure(state, "not-null violation" + on(column),
                    "the target's column is NOT NULL where the source's is not; make it nullable as on the source" + REPLAY, false);
        }
        if (state.equals("22003") || code == 1264 || code == 1690) {
            return new SqlFailure(state, "value out of range" + on(column),
                    "a value does not fit the target column's type; give the column the source's type" + REPLAY, false);
        }
        if (state.equals("22001") || code == 1406) {
            return new SqlFailure(state, "value too long" + on(column),
                    "a value does not fit the target column's type; give the column the source's type" + REPLAY, false);
        }
        if (state.equals("42501") || code == 1142 || code == 1143) {
            return new SqlFailure(state, "permission denied",
                    "grant the target user SELECT, INSERT, UPDATE, DELETE on the replicated tables" + REPLAY, false);
        }
        if (state.startsWith("23")) {
            return new SqlFailure(state, "constraint violation" + on(constraint),
                    "the target has a constraint the source lacks or holds rows the source does not; align it with the source"
                            + REPLAY, false);
        }
        return new SqlFailure(state, "error " + (code != 0 ? code + " " : "") + "(SQLState " + state + ")",
                "fix the cause on the target" + REPLAY, false);
    }

    /** The guard of MySQL's upsert (see the MySQL dialect) set a key column to NULL: a wrong-row match. */
    private static String uniqueMismatch() {
        return "the target has a unique index the source lacks (drop it until promote) or holds rows the source does not"
                + " (overlap verify --rows names them; delete them)" + REPLAY;
    }

    /** Serialization failure, deadlock, admin shutdown, crash shutdown, cannot connect now, too many connections, lock not available. */
    private static final java.util.Set<String> TRANSIENT_STATES = java.util.Set.of("40001", "40P01", "57P01", "57P02", "57P03",
            "53300", "55P03");

    private static String on(String name) {
        return name == null ? "" : " on " + name;
    }
}
