package dev.overlap.replicator.target;

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

    private static String escape(DatabaseMetaData meta, String pattern) throws SQLException {
        if (pattern == null) {
            return null;
        }
        String escape = meta.getSearchStringEscape();
        return pattern.replace(escape, escape + escape).replace("_", escape + "_").replace("%", escape + "%");
    }
}
