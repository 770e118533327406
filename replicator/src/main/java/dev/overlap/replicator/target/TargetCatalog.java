package dev.overlap.replicator.target;

import dev.overlap.replicator.apply.SqlDialect;
import dev.overlap.replicator.source.SourceTable;
import dev.overlap.replicator.stream.TableId;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads table shapes (columns, types, primary key) from a database catalog through JDBC's
 * {@link DatabaseMetaData}, so it serves PostgreSQL and MySQL/MariaDB alike.
 */
public final class TargetCatalog {
    private TargetCatalog() {
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

        Map<String, TargetColumn> columns = new LinkedHashMap<>();
        try (ResultSet rs = meta.getColumns(catalog, escape(meta, schema), escape(meta, id.table()), "%")) {
            while (rs.next()) {
                String type = rs.getString("TYPE_NAME");
                boolean array = rs.getInt("DATA_TYPE") == java.sql.Types.ARRAY;
                columns.put(rs.getString("COLUMN_NAME"), new TargetColumn(rs.getString("COLUMN_NAME"), type, array));
            }
        }
        if (columns.isEmpty()) {
            return Optional.empty();
        }
        Map<Short, String> key = new TreeMap<>();
        try (ResultSet rs = meta.getPrimaryKeys(catalog, schema, id.table())) {
            while (rs.next()) {
                key.put(rs.getShort("KEY_SEQ"), rs.getString("COLUMN_NAME"));
            }
        }
        return Optional.of(new TargetTable(id, columns, List.copyOf(new ArrayList<>(key.values()))));
    }

    /**
     * @param source a replicated source table
     * @param target its table on the target
     * @return what keeps the target table from taking the source's rows (another primary key, a missing
     *         column) with its fix, or {@code null} when it has the same key and every column
     */
    public static String shapeProblem(SourceTable source, TargetTable target) {
        if (!target.keyColumns().equals(source.keyColumns())) {
            return "table " + source.id() + " has primary key " + target.keyColumns() + " but the source has "
                    + source.keyColumns() + "; give the target the same primary key as the source";
        }
        for (String column : source.columns()) {
            if (!target.columns().containsKey(column)) {
                return "table " + source.id() + " has no column '" + column + "'; add it as on the source";
            }
        }
        return null;
    }

    /**
     * @param c an open connection to the target
     * @param dialect the target's dialect
     * @param tables the replicated tables
     * @return the first table that holds rows, or {@code null} when all are empty
     * @throws SQLException when a table cannot be read
     */
    public static TableId firstNonEmpty(Connection c, SqlDialect dialect, Iterable<TableId> tables) throws SQLException {
        for (TableId id : tables) {
            try (java.sql.Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT 1 FROM " + dialect.table(id) + " LIMIT 1")) {
                if (rs.next()) {
                    return id;
                }
            }
        }
        return null;
    }

    private static String escape(DatabaseMetaData meta, String pattern) throws SQLException {
        if (pattern == null) {
            return null;
        }
        String escape = meta.getSearchStringEscape();
        return pattern.replace(escape, escape + escape).replace("_", escape + "_").replace("%", escape + "%");
    }
}
