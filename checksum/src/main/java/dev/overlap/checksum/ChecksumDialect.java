package dev.overlap.checksum;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of verification for one database engine: catalog reads, and the queries that count, hash,
 * page through and fetch a key range of a table. Everything is computed inside the database; only
 * digests, chunk boundaries and the rows of small bisected ranges cross the network.
 *
 * <h2>Canonical row text</h2>
 * Both sides hash the same text for equal rows, so the text is fixed by this contract, not by an
 * engine's defaults. A row's canonical text is the PostgreSQL composite-literal form of the tuple of
 * its columns' canonical texts, in the source's column order: {@code (v1,v2,...)} where a NULL is
 * written as nothing, an empty string as {@code ""}, and a value that is empty or contains
 * {@code "}, {@code \}, {@code (}, {@code )}, {@code ,} or white space is written between double quotes
 * with {@code "} and {@code \} doubled. NULL and {@code ''} therefore differ, and no value can run into
 * the next. A column's canonical text is:
 * <ul>
 *   <li>integers: decimal digits; numeric/decimal: digits with the column's or value's scale kept
 *       ({@code 1.5} and {@code 1.50} differ, so a scale change is found);</li>
 *   <li>floating point: the shortest decimal that reads back to the same binary value
 *       ({@code 1.1}, {@code 1e+20}, {@code NaN}, {@code Infinity});</li>
 *   <li>boolean: {@code t} or {@code f};</li>
 *   <li>date: {@code YYYY-MM-DD}; time: {@code HH:MM:SS[.ffffff]}; timestamp: {@code YYYY-MM-DD HH:MM:SS[.ffffff]}
 *       to the microsecond with trailing zero digits of the fraction dropped; timestamp with time zone:
 *       the same in UTC followed by {@code +00};</li>
 *   <li>CHAR(n): the value without trailing pad spaces; text, varchar: the value;</li>
 *   <li>JSON: the normalised {@code jsonb} text (keys sorted by length then bytes, one space after
 *       {@code :} and {@code ,}, duplicate keys reduced to the last), so json and jsonb compare by content;</li>
 *   <li>binary: {@code \x} followed by lower-case hex; UUID: lower-case, hyphenated;</li>
 *   <li>anything else (arrays, intervals, enums...): PostgreSQL's text output.</li>
 * </ul>
 * That is the PostgreSQL dialect's text. The MySQL/MariaDB dialect ({@link MySqlChecksumDialect})
 * builds a cheaper text of its own with the same two properties — equal values give equal text,
 * different values different text — but not the same characters, and hashes it with another
 * function: verification compares two databases of the same engine (the Verifier runs one dialect on
 * both sides), and a PostgreSQL digest never equals a MySQL/MariaDB one.
 *
 * <h2>Row hash</h2>
 * The row hash is a 64-bit hash of the canonical text's bytes (signed on PostgreSQL, unsigned on
 * MySQL/MariaDB); a chunk's digest is {@code count(*)} and the exact {@code SUM} of the row hashes
 * ({@link ChunkDigest}). Both sides of a comparison must use the same hash function: the PostgreSQL
 * dialect uses {@code hashtextextended} (the stable hash behind hash partitioning), the MySQL/MariaDB
 * dialect the first 64 bits of MD5.
 *
 * <h2>Key ranges</h2>
 * The queries for a {@link KeyRange} take as parameters the lower bound's {@link #boundValues} (when
 * it has one), then the upper bound's, then the query's own parameters; bounds compare as row values
 * in the key's index order, {@code (a, b) > (?, ?)} or an equivalent the engine's optimiser turns
 * into an index range.
 */
public interface ChecksumDialect {

    /**
     * Sets the session settings the canonical text depends on (date style, time zone, float digits,
     * binary output).
     *
     * @param connection a connection this dialect will run queries on
     * @throws SQLException when a setting is refused
     */
    void prepareSession(Connection connection) throws SQLException;

    /**
     * @param connection a connection to the database
     * @return every user table, ordered by schema and name
     * @throws SQLException when the catalog cannot be read
     */
    List<TableName> tables(Connection connection) throws SQLException;

    /**
     * @param connection a connection to the database
     * @param table the table to describe
     * @return its columns and primary key, or empty when the table does not exist
     * @throws SQLException when the catalog cannot be read
     */
    Optional<TableSchema> describe(Connection connection, TableName table) throws SQLException;

    /**
     * @param bound a key range bound
     * @return the parameter values of that bound's condition in the range queries, in order: by default
     *         each key column's text once
     */
    default List<String> boundValues(Key bound) {
        return bound.values();
    }

    /**
     * @return a query of one row, one column: the table's row count
     */
    String countSql(TableSchema table);

    /**
     * The catalog's estimate of a table's rows, for progress and ETA only: compared tables are not
     * counted separately, their row counts are the sums of their chunks' counts.
     *
     * @param connection a connection to the database
     * @param table the table
     * @return the estimate, {@code >= 0} (0 when the catalog does not know)
     * @throws SQLException when the catalog cannot be read
     */
    long estimateRows(Connection connection, TableSchema table) throws SQLException;

    /**
     * @param range which of its bounds are present decides the parameters
     * @return a query of one row: {@code count(*)} and the sum of the row hashes (0 when empty) in the range
     */
    String digestSql(TableSchema table, KeyRange range);

    /**
     * @param range the range to page in; its bound parameters come first
     * @return a query whose last parameter is an offset {@code n >= 0}, giving the key texts of the
     *         {@code n}-th row (from 0) in key order within the range, or no row when the range has fewer
     */
    String keyAtSql(TableSchema table, KeyRange range);

    /**
     * @return whether the table's primary key is one column of an integer type, so that its chunks can be
     *         cut by key arithmetic ({@code lower < key <= lower + span}) instead of by paging
     */
    boolean integerKey(TableSchema table);

    /**
     * @return a query without parameters of at most one row: the key texts of the table's greatest key
     *         in key order (no row when the table is empty)
     */
    String lastKeySql(TableSchema table);

    /**
     * @param range the range to fetch; its bound parameters come first
     * @return a query whose last parameter is a row limit, giving per row in key order the key texts,
     *         then the canonical text of every column in catalog order
     */
    String rowsSql(TableSchema table, KeyRange range);

    /**
     * The rows of given keys, for re-checking the rows changed since a verification pass
     * ({@link ChangedRowComparer}).
     *
     * @param keys how many keys the query names, {@code >= 1}
     * @return a query whose parameters are the key values, key after key, each key's columns in key order, bound
     *         by the caller with their own types; it gives per row the key texts, then the canonical text of
     *         every column in catalog order, as {@link #rowsSql} does
     */
    String rowsByKeySql(TableSchema table, int keys);
}
