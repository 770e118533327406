package dev.overlap.replicator.engine.postgres;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.catalog.TableCatalog;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.catalog.TargetTable;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.sql.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The PostgreSQL target: checks, before anything is written, that every selected table exists with
 * the source's primary key and columns, that the user may write them, and that it may set
 * {@code session_replication_role} (the apply runs as a replica, as PostgreSQL's own subscriber does).
 */
final class PostgresTarget {
    private final Endpoint endpoint;
    private final SqlDialect dialect;

    /**
     * @param endpoint the target database
     * @param dialect the target's dialect
     */
    public PostgresTarget(Endpoint endpoint, SqlDialect dialect) {
        this.endpoint = endpoint;
        this.dialect = dialect;
    }

    /**
     * @param sourceTables the tables the pipeline replicates
     * @param resuming whether the pipeline resumes from a stored offset: a table missing or unlike the source's is
     *        then left to the DDL the stream brings (logged), as the source may have changed while overlap was stopped
     * @return each table's shape on the target, for the tables that match
     * @throws UserError naming the first problem found and its fix
     */
    public Map<TableId, TargetTable> preflight(List<SourceTable> sourceTables, boolean resuming) {
        try (Connection c = Connections.open(endpoint)) {
            Map<TableId, TargetTable> tables = new LinkedHashMap<>();
            for (SourceTable source : sourceTables) {
                Optional<TargetTable> found = TableCatalog.describe(c, source.id());
                String problem = TableCatalog.shapeProblem(source, found, resuming, "set schema: copy, or restore the schema first, e.g."
                        + " pg_dump --schema-only --no-owner <source> | psql <target>");
                if (problem != null) {
                    throw error(problem);
                } else if (found.isEmpty() || !TableCatalog.matches(source, found.get())) {
                    continue;
                }
                TargetTable target = found.get();
                for (String privilege : List.of("INSERT", "UPDATE", "DELETE")) {
                    if (!hasPrivilege(c, source.id(), privilege)) {
                        throw error("user '" + endpoint.user() + "' lacks " + privilege + " on " + source.id()
                                + "; run GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + source.id().schema()
                                + " TO " + endpoint.user());
                    }
                }
                tables.put(source.id(), target);
            }
            try (Statement st = c.createStatement()) {
                st.execute(dialect.applySessionSql());
                st.execute("RESET session_replication_role");
            } catch (SQLException e) {
                throw error("user '" + endpoint.user() + "' may not SET session_replication_role, which the apply needs so that"
                        + " target triggers and foreign keys do not fire for replicated rows; as a superuser run GRANT SET ON"
                        + " PARAMETER session_replication_role TO " + endpoint.user() + " (PostgreSQL 15+), or use a superuser");
            }
            return tables;
        } catch (SQLException e) {
            throw Connections.explain(endpoint, e);
        }
    }

    private boolean hasPrivilege(Connection c, TableId id, String privilege) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT has_table_privilege(?::regclass, ?)")) {
            ps.setString(1, dialect.table(id));
            ps.setString(2, privilege);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private UserError error(String problem) {
        return new UserError("target " + endpoint.display() + ": " + problem);
    }
}
