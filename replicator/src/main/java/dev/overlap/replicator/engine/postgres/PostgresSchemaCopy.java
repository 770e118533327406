package dev.overlap.replicator.engine.postgres;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.catalog.TableCatalog;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.jdbc.Connections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the selected tables a PostgreSQL target lacks from the source's catalog (docs/ARCHITECTURE.md, "Schema
 * copy"), in one target transaction: the extensions and the enum, domain and composite types their columns use,
 * the sequences their defaults use, each table with its columns (type, collation, default, NOT NULL, identity,
 * generated), partition key and partitions, its primary key, unique, check and exclusion constraints, indexes and
 * comments, and last the foreign keys among the tables. The DDL comes from the server's own deparsers
 * ({@code format_type}, {@code pg_get_expr}, {@code pg_get_constraintdef}, {@code pg_get_indexdef},
 * {@code pg_get_partkeydef}), read with {@code search_path = pg_catalog} so that every name is schema-qualified;
 * pg_dump is not used, as it must be at least the source server's major version and is often not installed on
 * the host that runs the daemon. Owners, grants, tablespaces, storage parameters, row security, triggers and
 * rules are not copied.
 */
final class PostgresSchemaCopy {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresSchemaCopy.class);

    private final Endpoint source;
    private final Endpoint target;
    /** The selected tables as {@code regclass} text; foreign keys to other tables are not created. */
    private Set<String> selected = Set.of();

    PostgresSchemaCopy(Endpoint source, Endpoint target) {
        this.source = source;
        this.target = target;
    }

    /**
     * @param tables the selected tables (roots of partition trees)
     * @return the tables created, in creation order
     * @throws UserError when the source cannot be read or the target refuses, naming the table and the fix
     */
    List<TableId> copy(List<SourceTable> tables) {
        try (Connection s = Connections.open(source); Connection t = Connections.open(target)) {
            try (Statement st = s.createStatement()) {
                st.execute("SET search_path = pg_catalog");
            }
            selected = new LinkedHashSet<>();
            for (SourceTable table : tables) {
                selected.addAll(strings(s, "SELECT ?::regclass::text", qualified(table.id())));
            }
            List<TableId> created = new ArrayList<>();
            List<String> statements = new ArrayList<>();
            List<String> foreignKeys = new ArrayList<>();
            Set<String> types = new LinkedHashSet<>();
            for (SourceTable table : tables) {
                if (!TableCatalog.exists(t, table.id())) {
                    created.add(table.id());
                    tableSql(s, qualified(table.id()), null, statements, foreignKeys, types);
                }
            }
            if (created.isEmpty()) {
                return created;
            }
            List<String> all = new ArrayList<>();
            for (TableId table : created) {
                all.add("CREATE SCHEMA IF NOT EXISTS " + quote(table.schema()));
            }
            all.addAll(typeSql(s, t, types));
            all.addAll(statements);
            all.addAll(foreignKeys);
            t.setAutoCommit(false);
            try (Statement st = t.createStatement()) {
                for (String sql : new LinkedHashSet<>(all)) {
                    st.execute(sql);
                }
                t.commit();
            } catch (SQLException e) {
                t.rollback();
                throw new UserError("target " + target.display() + ": creating the selected tables from the source failed (SQLState "
                        + e.getSQLState() + ": " + e.getMessage() + "); create them yourself (pg_dump --schema-only) and set schema:"
                        + " existing");
            }
            LOG.info("created {} tables on the target from the source's catalog: {}", created.size(), created);
            return created;
        } catch (SQLException e) {
            throw Connections.explain(source, e);
        }
    }

    /** Adds the statements of one table and, recursively, of its partitions; its foreign keys go to {@code foreignKeys}. */
    private void tableSql(Connection s, String table, String parent, List<String> statements, List<String> foreignKeys,
                          Set<String> types) throws SQLException {
        String kind;
        String bound;
        String partitionKey;
        try (PreparedStatement ps = s.prepareStatement("SELECT relkind, pg_get_expr(relpartbound, oid),"
                + " CASE WHEN relkind = 'p' THEN pg_get_partkeydef(oid) END, obj_description(oid, 'pg_class')"
                + " FROM pg_class WHERE oid = ?::regclass")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                kind = rs.getString(1);
                bound = rs.getString(2);
                partitionKey = rs.getString(3);
                String comment = rs.getString(4);
                List<String> owned = parent == null ? sequenceSql(s, table, statements) : List.of();
                StringBuilder create = new StringBuilder("CREATE TABLE ").append(table);
                if (parent != null) {
                    create.append(" PARTITION OF ").append(parent).append(' ').append(bound);
                } else {
                    create.append(" (").append(String.join(", ", columns(s, table, types))).append(')');
                }
                if (partitionKey != null) {
                    create.append(" PARTITION BY ").append(partitionKey);
                }
                statements.add(create.toString());
                statements.addAll(owned);
                if (comment != null) {
                    statements.add("COMMENT ON TABLE " + table + " IS " + literal(comment));
                }
            }
        }
        if (parent == null) {
            statements.addAll(columnComments(s, table));
        }
        try (PreparedStatement ps = s.prepareStatement("SELECT quote_ident(conname), pg_get_constraintdef(oid), contype,"
                + " confrelid::regclass::text FROM pg_constraint"
                + " WHERE conrelid = ?::regclass AND contype IN ('p', 'u', 'c', 'x', 'f') AND conislocal AND coninhcount = 0"
                + " ORDER BY contype <> 'p', conname")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String add = "ALTER TABLE " + table + " ADD CONSTRAINT " + rs.getString(1) + " " + rs.getString(2);
                    if (!"f".equals(rs.getString(3))) {
                        statements.add(add);
                    } else if (selected.contains(rs.getString(4))) {
                        foreignKeys.add(add);
                    } else {
                        LOG.info("foreign key {} of {} references {}, which is not selected; it is not created", rs.getString(1), table,
                                rs.getString(4));
                    }
                }
            }
        }
        try (PreparedStatement ps = s.prepareStatement("SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = ?::regclass"
                + " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)"
                + " AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid) ORDER BY 1")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    statements.add(rs.getString(1));
                }
            }
        }
        if ("p".equals(kind)) {
            try (PreparedStatement ps = s.prepareStatement("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = ?::regclass"
                    + " ORDER BY 1")) {
                ps.setString(1, table);
                List<String> partitions = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        partitions.add(rs.getString(1));
                    }
                }
                for (String partition : partitions) {
                    tableSql(s, partition, table, statements, foreignKeys, types);
                }
            }
        }
    }

    /**
     * Adds the creation of the sequences the table's defaults use (serial columns) to {@code statements}.
     *
     * @return the statements that make them owned by their column, to run after the table is created
     */
    private static List<String> sequenceSql(Connection s, String table, List<String> statements) throws SQLException {
        List<String> owned = new ArrayList<>();
        try (PreparedStatement ps = s.prepareStatement("""
                SELECT DISTINCT seq.oid::regclass::text, format_type(sq.seqtypid, NULL), sq.seqincrement, sq.seqmin, sq.seqmax,
                       sq.seqstart, sq.seqcache, sq.seqcycle,
                       (SELECT quote_ident(a.attname) FROM pg_depend o
                        JOIN pg_attribute a ON a.attrelid = o.refobjid AND a.attnum = o.refobjsubid
                        WHERE o.classid = 'pg_class'::regclass AND o.objid = seq.oid AND o.deptype = 'a' AND o.refobjid = ad.adrelid)
                FROM pg_attrdef ad
                JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass
                JOIN pg_class seq ON seq.oid = d.refobjid AND seq.relkind = 'S'
                JOIN pg_sequence sq ON sq.seqrelid = seq.oid
                WHERE ad.adrelid = ?::regclass""")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    statements.add("CREATE SEQUENCE IF NOT EXISTS " + rs.getString(1) + " AS " + rs.getString(2) + " INCREMENT BY "
                            + rs.getLong(3) + " MINVALUE " + rs.getLong(4) + " MAXVALUE " + rs.getLong(5) + " START WITH " + rs.getLong(6)
                            + " CACHE " + rs.getLong(7) + (rs.getBoolean(8) ? " CYCLE" : " NO CYCLE"));
                    if (rs.getString(9) != null) {
                        owned.add("ALTER SEQUENCE " + rs.getString(1) + " OWNED BY " + table + "." + rs.getString(9));
                    }
                }
            }
        }
        return owned;
    }

    /** @return each column's definition; the user types it uses are noted */
    private List<String> columns(Connection s, String table, Set<String> types) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = s.prepareStatement("""
                SELECT quote_ident(a.attname), format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
                       a.attidentity, a.attgenerated,
                       CASE WHEN a.attcollation <> t.typcollation
                            THEN (SELECT quote_ident(n.nspname) || '.' || quote_ident(co.collname) FROM pg_collation co
                                  JOIN pg_namespace n ON n.oid = co.collnamespace WHERE co.oid = a.attcollation) END,
                       CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN t.typelem ELSE t.oid END
                FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    StringBuilder column = new StringBuilder(rs.getString(1)).append(' ').append(rs.getString(2));
                    if (rs.getString(7) != null) {
                        column.append(" COLLATE ").append(rs.getString(7));
                    }
                    String expression = rs.getString(4);
                    if (!rs.getString(6).isEmpty()) {
                        column.append(" GENERATED ALWAYS AS (").append(expression).append(") STORED");
                    } else if (expression != null) {
                        column.append(" DEFAULT ").append(expression);
                    }
                    if (rs.getBoolean(3)) {
                        column.append(" NOT NULL");
                    }
                    if ("a".equals(rs.getString(5)) || "d".equals(rs.getString(5))) {
                        column.append(" GENERATED ").append("a".equals(rs.getString(5)) ? "ALWAYS" : "BY DEFAULT").append(" AS IDENTITY");
                    }
                    columns.add(column.toString());
                    types.add(rs.getString(8));
                }
            }
        }
        return columns;
    }

    private List<String> columnComments(Connection s, String table) throws SQLException {
        List<String> comments = new ArrayList<>();
        try (PreparedStatement ps = s.prepareStatement("SELECT quote_ident(attname), col_description(attrelid, attnum) FROM pg_attribute"
                + " WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped AND col_description(attrelid, attnum) IS NOT NULL")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    comments.add("COMMENT ON COLUMN " + table + "." + rs.getString(1) + " IS " + literal(rs.getString(2)));
                }
            }
        }
        return comments;
    }

    /**
     * @param types the oids of the columns' types (arrays by their element type)
     * @return the statements that create the extensions, enums, composite types, domains and sequences the tables need
     *         and the target lacks, in that order
     */
    private List<String> typeSql(Connection s, Connection t, Set<String> types) throws SQLException {
        List<String> extensions = new ArrayList<>();
        List<String> enums = new ArrayList<>();
        List<String> domains = new ArrayList<>();
        for (String oid : types) {
            try (PreparedStatement ps = s.prepareStatement("""
                    SELECT format_type(ty.oid, NULL), ty.typtype, ty.typrelid, format_type(ty.typbasetype, ty.typtypmod), ty.typnotnull,
                           ty.typdefault, (SELECT e.extname FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                                           WHERE d.classid = 'pg_type'::regclass AND d.objid = ty.oid AND d.deptype = 'e')
                    FROM pg_type ty JOIN pg_namespace n ON n.oid = ty.typnamespace
                    WHERE ty.oid = ?::oid AND n.nspname NOT IN ('pg_catalog', 'information_schema')""")) {
                ps.setString(1, oid);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        continue;
                    }
                    String name = rs.getString(1);
                    if (rs.getString(7) != null) {
                        extensions.add("CREATE EXTENSION IF NOT EXISTS " + quote(rs.getString(7)));
                    } else if (!typeExists(t, name)) {
                        switch (rs.getString(2)) {
                            case "e" -> enums.add("CREATE TYPE " + name + " AS ENUM (" + String.join(", ", strings(s,
                                    "SELECT quote_literal(enumlabel) FROM pg_enum WHERE enumtypid = ?::oid ORDER BY enumsortorder", oid)) + ")");
                            case "c" -> enums.add("CREATE TYPE " + name + " AS (" + String.join(", ", strings(s, "SELECT quote_ident(attname)"
                                    + " || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = ?::oid AND attnum > 0"
                                    + " AND NOT attisdropped ORDER BY attnum", rs.getString(3))) + ")");
                            case "d" -> domains.add("CREATE DOMAIN " + name + " AS " + rs.getString(4)
                                    + (rs.getString(6) != null ? " DEFAULT " + rs.getString(6) : "") + (rs.getBoolean(5) ? " NOT NULL" : "")
                                    + String.join("", strings(s, "SELECT ' CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid)"
                                    + " FROM pg_constraint WHERE contypid = ?::oid ORDER BY conname", oid)));
                            default -> LOG.warn("type {} of a copied column is neither an enum, a composite nor a domain;"
                                    + " create it on the target first", name);
                        }
                    }
                }
            }
        }
        List<String> all = new ArrayList<>(extensions);
        all.addAll(enums);
        all.addAll(domains);
        return all;
    }

    private static boolean typeExists(Connection t, String name) throws SQLException {
        try (PreparedStatement ps = t.prepareStatement("SELECT to_regtype(?) IS NOT NULL")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static List<String> strings(Connection c, String sql, String parameter) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }

    private static String qualified(TableId id) {
        return quote(id.schema()) + "." + quote(id.table());
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
