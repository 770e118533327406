package dev.overlap.replicator.engine.mysql;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.catalog.TableCatalog;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.catalog.TargetTable;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.jdbc.Connections;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A MySQL or MariaDB target: checks, before anything is written, that every selected table exists in
 * the URL's database with the source's primary key and columns and that the user may write it. The
 * write grants are probed with statements that change nothing ({@code … WHERE 1 = 0}, rolled back),
 * so role grants and wildcard grants count as the server counts them.
 */
final class MySqlTarget {
    private final Endpoint endpoint;

    /** @param endpoint the target database */
    public MySqlTarget(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * @param server a MySQL or MariaDB server whose {@code max_allowed_packet} does not matter (Overlap's own
     *        one-row statements)
     * @return the dialect for it
     */
    public static MySqlDialect dialect(MySqlServer server) {
        return new MySqlDialect(server.supportsRowAlias());
    }

    /**
     * @param server the target server
     * @return the dialect of the apply: the target's upsert syntax, and statements cut below its
     *         {@code max_allowed_packet}
     * @throws UserError when the target is not reachable
     */
    MySqlDialect applyDialect(MySqlServer server) {
        try (Connection c = Connections.open(endpoint); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT @@max_allowed_packet")) {
            rs.next();
            return new MySqlDialect(server.supportsRowAlias(), rs.getLong(1));
        } catch (SQLException e) {
            throw Connections.explain(endpoint, e);
        }
    }

    /**
     * @return the target server, from its version
     * @throws UserError when the target is not reachable
     */
    MySqlServer server() {
        try (Connection c = Connections.open(endpoint)) {
            return MySqlServer.of(c);
        } catch (SQLException e) {
            throw Connections.explain(endpoint, e);
        }
    }

    /**
     * @param sourceTables the tables the pipeline replicates; their schema is the source database
     * @param resuming whether the pipeline resumes from a stored offset: a table missing or unlike the source's is
     *        then left to the DDL the stream brings (logged), as the source may have changed while overlap was stopped
     * @return each table's shape on the target, keyed by the source table, for the tables that match
     * @throws UserError naming the first problem found and its fix
     */
    public Map<TableId, TargetTable> preflight(List<SourceTable> sourceTables, boolean resuming) {
        try (Connection c = Connections.open(endpoint)) {
            String database = c.getCatalog();
            Map<TableId, TargetTable> tables = new LinkedHashMap<>();
            for (SourceTable source : sourceTables) {
                Optional<TargetTable> found = TableCatalog.describe(c, new TableId(database, source.id().table()));
                String problem = TableCatalog.shapeProblem(source, found, resuming, "set schema: copy, or restore the schema first, e.g."
                        + " mysqldump --no-data <source db> | mysql <target db>");
                if (problem != null) {
                    throw error(problem);
                } else if (found.isEmpty() || !TableCatalog.matches(source, found.get())) {
                    continue;
                }
                TargetTable target = found.get();
                probeWrites(c, database, source, target);
                tables.put(source.id(), target);
            }
            return tables;
        } catch (SQLException e) {
            throw Connections.explain(endpoint, e);
        }
    }

    private void probeWrites(Connection c, String database, SourceTable table, TargetTable target) throws SQLException {
        String name = "`" + table.id().table().replace("`", "``") + "`";
        List<String> writable = target.columns().values().stream().filter(col -> !col.generated())
                .map(col -> "`" + col.name().replace("`", "``") + "`").toList();
        String columns = String.join(", ", writable);
        String column = writable.get(0);
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            for (String[] probe : new String[][] {
                    {"INSERT", "INSERT INTO " + name + " (" + columns + ") SELECT " + columns + " FROM " + name + " WHERE 1 = 0"},
                    {"UPDATE", "UPDATE " + name + " SET " + column + " = " + column + " WHERE 1 = 0"},
                    {"DELETE", "DELETE FROM " + name + " WHERE 1 = 0"}}) {
                try {
                    st.executeUpdate(probe[1]);
                } catch (SQLException e) {
                    if (e.getErrorCode() == 1142 || e.getErrorCode() == 1143) {
                        throw error("user '" + endpoint.user() + "' lacks " + probe[0] + " on " + database + "." + table.id().table()
                                + "; run GRANT SELECT, INSERT, UPDATE, DELETE, CREATE ON `" + database + "`.* TO '" + endpoint.user() + "'");
                    }
                    throw e;
                }
            }
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    private UserError error(String problem) {
        return new UserError("target " + endpoint.display() + ": " + problem);
    }
}
