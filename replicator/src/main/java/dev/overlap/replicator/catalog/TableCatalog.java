package dev.overlap.replicator.catalog;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads table shapes (columns, types, primary key) from a database catalog through JDBC's
 * {@link DatabaseMetaData}, so it serves PostgreSQL and MySQL/MariaDB alike.
 */
public final class TableCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(TableCatalog.class);
    private TableCatalog() {
    }

    /**
     * @param connection an open connection to the database
     * @param id the table
     * @return the table's shape, or empty when the table does not exist
     * @throws SQLException when the catalog cannot be read
     */
    public static Optional<TargetTable> describe(Connection connection, TableId id) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        boolean catalogIsSchema = !meta.supportsSchemasInTableDefinitions();
        String catalog = catalogIsSchema ? id.schema() : null;
        String schema = catalogIsSchema ? null : id.schema();
        boolean postgres = "PostgreSQL".equals(meta.getDatabaseProductName());

        Map<String, String[]> typeAndArray = new LinkedHashMap<>();
        try (ResultSet rs = meta.getColumns(catalog, escape(meta, schema), escape(meta, id.table()), "%")) {
            while (rs.next()) {
                boolean array = rs.getInt("DATA_TYPE") == java.sql.Types.ARRAY;
                typeAndArray.put(rs.getString("COLUMN_NAME"), new String[] {rs.getString("TYPE_NAME"), Boolean.toString(array)});
            }
        }
        if (typeAndArray.isEmpty()) {
            return Optional.empty();
        }
        Set<String> generated = new HashSet<>();
        Set<String> identityAlways = new HashSet<>();
        readGenerated(connection, postgres, id, generated, identityAlways);
        Map<String, TargetColumn> columns = new LinkedHashMap<>();
        typeAndArray.forEach((name, type) -> columns.put(name, new TargetColumn(name, type[0], Boolean.parseBoolean(type[1]),
                generated.contains(name), identityAlways.contains(name))));
        Map<Short, String> key = new TreeMap<>();
        try (ResultSet rs = meta.getPrimaryKeys(catalog, schema, id.table())) {
            while (rs.next()) {
                key.put(rs.getShort("KEY_SEQ"), rs.getString("COLUMN_NAME"));
            }
        }
        return Optional.of(new TargetTable(id, columns, List.copyOf(key.values()), uniqueIndexes(connection, id)));
    }

    /**
     * @param connection an open connection to the database
     * @param id the table
     * @return whether the table exists
     * @throws SQLException when the catalog cannot be read
     */
    public static boolean exists(Connection connection, TableId id) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        boolean catalogIsSchema = !meta.supportsSchemasInTableDefinitions();
        try (ResultSet rs = meta.getTables(catalogIsSchema ? id.schema() : null, catalogIsSchema ? null : escape(meta, id.schema()),
                escape(meta, id.table()), null)) {
            return rs.next();
        }
    }

    /**
     * @param connection an open connection to the database (source or target)
     * @param id the table
     * @return its unique indexes and constraints other than the primary key; on PostgreSQL those of its
     *         partitions too, and exclusion constraints (as inexact)
     * @throws SQLException when the catalog cannot be read
     */
    public static List<UniqueIndex> uniqueIndexes(Connection connection, TableId id) throws SQLException {
        boolean postgres = "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName());
        Map<String, List<String>> columns = new TreeMap<>();
        Set<String> inexact = new HashSet<>();
        try (PreparedStatement ps = connection.prepareStatement(postgres ? PG_UNIQUE_INDEXES : MYSQL_UNIQUE_INDEXES)) {
            if (postgres) {
                ps.setString(1, regclass(id));
                ps.setString(2, regclass(id));
            } else {
                ps.setString(1, id.schema());
                ps.setString(2, id.table());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    List<String> indexColumns = columns.computeIfAbsent(name, n -> new ArrayList<>());
                    if (postgres) {
                        indexColumns.addAll(List.of((String[]) rs.getArray(3).getArray()));
                    } else if (rs.getString(3) != null) {
                        indexColumns.add(rs.getString(3));
                    }
                    if (!rs.getBoolean(2)) {
                        inexact.add(name);
                    }
                }
            }
        }
        List<UniqueIndex> indexes = new ArrayList<>();
        columns.forEach((name, indexColumns) -> indexes.add(new UniqueIndex(name, List.copyOf(indexColumns), !inexact.contains(name))));
        return List.copyOf(indexes);
    }

    /**
     * Unique indexes of a table and of its partitions, exclusion constraints included. Exact when they
     * index plain columns without a predicate ({@code indkey} holds 0 for an expression).
     */
    private static final String PG_UNIQUE_INDEXES = """
            SELECT c.relname,
                   i.indpred IS NULL AND i.indexprs IS NULL AND NOT i.indisexclusion,
                   ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[]
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE (i.indisunique OR i.indisexclusion) AND NOT i.indisprimary
              AND i.indrelid IN (SELECT ?::regclass UNION SELECT relid FROM pg_partition_tree(?::regclass))
            ORDER BY 1""";

    /** One row per index column; exact unless a column is an expression (no name) or a prefix ({@code SUB_PART}). */
    private static final String MYSQL_UNIQUE_INDEXES = """
            SELECT INDEX_NAME, COLUMN_NAME IS NOT NULL AND SUB_PART IS NULL, COLUMN_NAME
            FROM information_schema.STATISTICS
            WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 AND INDEX_NAME <> 'PRIMARY'
            ORDER BY INDEX_NAME, SEQ_IN_INDEX""";

    private static void readGenerated(Connection connection, boolean postgres, TableId id, Set<String> generated,
                                      Set<String> identityAlways) throws SQLException {
        String sql = postgres
                ? "SELECT attname, attgenerated <> '', attidentity = 'a' FROM pg_attribute"
                        + " WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped"
                : "SELECT COLUMN_NAME, COALESCE(GENERATION_EXPRESSION, '') <> '', 0 = 1 FROM information_schema.COLUMNS"
                        + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            if (postgres) {
                ps.setString(1, regclass(id));
            } else {
                ps.setString(1, id.schema());
                ps.setString(2, id.table());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBoolean(2)) {
                        generated.add(rs.getString(1));
                    }
                    if (rs.getBoolean(3)) {
                        identityAlways.add(rs.getString(1));
                    }
                }
            }
        }
    }

    private static String regclass(TableId id) {
        return '"' + id.schema().replace("\"", "\"\"") + "\".\"" + id.table().replace("\"", "\"\"") + '"';
    }

    /**
     * @param source a replicated source table
     * @param target its table on the target
     * @return what keeps the target table from taking the source's rows (no unique key on the source's
     *         key, a key where the source has none, a missing column) with its fix, or {@code null} when it
     *         can take them
     */
    public static String shapeProblem(SourceTable source, TargetTable target) {
        if (source.keyColumns().isEmpty() ? !target.keyColumns().isEmpty() : !target.hasUniqueKey(source.keyColumns())) {
            return "table " + source.id() + " has primary key " + target.keyColumns() + " but the source's key is "
                    + source.keyColumns() + "; give the target the same primary key (or unique index) as the source";
        }
        for (String column : source.columns()) {
            if (!target.columns().containsKey(column)) {
                return "table " + source.id() + " has no column '" + column + "'; add it as on the source";
            }
        }
        return null;
    }

    /**
     * The preflight's verdict on a replicated table's target.
     *
     * @param source a replicated source table
     * @param target its table on the target, or empty when the target lacks it
     * @param resuming whether the pipeline resumes from a stored offset: a missing or different table is then only
     *        logged, as the DDL the stream brings may still create or change it
     * @param restore how to restore the schema, for the line about a missing table
     * @return the problem with its fix, or {@code null}
     */
    public static String shapeProblem(SourceTable source, Optional<TargetTable> target, boolean resuming, String restore) {
        String problem = target.isEmpty() ? "table " + source.id() + " is missing; " + restore : shapeProblem(source, target.get());
        if (problem != null && resuming) {
            LOG.info("target: {}; left to the DDL the stream brings, as the source may have changed while overlap was stopped", problem);
            return null;
        }
        return problem;
    }

    /** @return whether the target table can take the source's rows ({@link #shapeProblem(SourceTable, TargetTable)} finds nothing) */
    public static boolean matches(SourceTable source, TargetTable target) {
        return shapeProblem(source, target) == null;
    }

    private static String escape(DatabaseMetaData meta, String pattern) throws SQLException {
        if (pattern == null) {
            return null;
        }
        String escape = meta.getSearchStringEscape();
        return pattern.replace(escape, escape + escape).replace("_", escape + "_").replace("%", escape + "%");
    }
}
