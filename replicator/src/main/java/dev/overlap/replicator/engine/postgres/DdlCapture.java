package dev.overlap.replicator.engine.postgres;

import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.config.TableFilter;
import dev.overlap.replicator.sql.SqlDialect;
import dev.overlap.replicator.stream.SchemaChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * DDL capture on a PostgreSQL source (docs/ARCHITECTURE.md, "Schema changes"). Logical decoding carries no
 * DDL, so an event trigger of the pipeline records each DDL statement on its selected tables in the capture
 * table {@value SchemaChange#CAPTURE_TABLE}, which the publication carries: the statement then arrives in the
 * stream in commit order with the rows, and the Applier runs it on the target before the changes that follow.
 * The approach is that of pglogical's {@code replicate_ddl_command} and of pgl_ddl_deploy, done by a trigger.
 *
 * <p>The trigger function, {@code overlap_ddl_<pipeline>()}, runs on {@code ddl_command_end} and
 * {@code sql_drop}. It records the statement ({@code current_query()}) with the {@code search_path} it ran
 * under and the tables it touched (a partition counts as the root of its tree), once per statement and
 * transaction, when a touched table is selected by the pipeline's filter, or when the object is a type, domain, sequence or index in a schema the filter selects
 * from; privileges ({@code GRANT}, {@code REVOKE}, default privileges, security labels) are left alone, as the
 * two hosts' roles differ. After a statement on a selected table, every selected table that is not a partition and that the
 * publication lacks (one just created, or a partition just detached) is added to it in the same transaction, and
 * to the statement's tables,
 * so no row of it is missed; one without a primary key gets {@code REPLICA IDENTITY FULL} first, as the
 * preflight asks of a selected table (without it, PostgreSQL refuses the application's UPDATE and DELETE
 * on a published table). The function is {@code SECURITY DEFINER}: it writes the capture table and alters the
 * publication with the rights of the user who installed it. It reads the caller's {@code search_path} (which
 * the statement is replayed under) through schema-qualified calls, then runs under {@code pg_catalog, pg_temp}
 * until it puts the caller's back, so that no object of the caller's path can run with its rights. The
 * statements it runs itself (ALTER PUBLICATION, REPLICA IDENTITY) fire it again; that nested call returns at
 * once (the setting {@code overlap.ddl_capture_running}). Event triggers need a superuser to create
 * (PostgreSQL manual, "Event Triggers"): the preflight installs them when it may, and otherwise prints the SQL
 * for a superuser to run once.
 */
final class DdlCapture {
    private DdlCapture() {
    }

    /**
     * @param schema the schema of the capture table (the heartbeat's)
     * @param dialect for quoting
     * @return the statement that creates the capture table when it does not exist
     */
    static String createTableSql(String schema, SqlDialect dialect) {
        return "CREATE TABLE IF NOT EXISTS " + dialect.table(new TableId(schema, SchemaChange.CAPTURE_TABLE))
                + " (id bigserial PRIMARY KEY, pipeline text NOT NULL, ddl text NOT NULL, search_path text NOT NULL,"
                + " schemas text[] NOT NULL, names text[] NOT NULL, xid bigint NOT NULL DEFAULT txid_current(),"
                + " captured_at timestamptz NOT NULL DEFAULT now())";
    }

    /**
     * @param schema the schema of the capture table and the function
     * @param pipeline the pipeline
     * @param publication the pipeline's publication
     * @param filter the pipeline's table filter
     * @param dialect for quoting
     * @return the statements that install (or replace) the pipeline's trigger function and event triggers
     */
    static List<String> installSql(String schema, String pipeline, String publication, TableFilter filter, SqlDialect dialect) {
        String table = dialect.table(new TableId(schema, SchemaChange.CAPTURE_TABLE));
        String function = dialect.table(new TableId(schema, "overlap_ddl_" + pipeline));
        String body = """
                DECLARE
                  r record;
                  schemas text[] := '{}';
                  names text[] := '{}';
                  other boolean := false;
                  q text := pg_catalog.current_query();
                  caller_path text := pg_catalog.current_setting('search_path');
                  t_oid oid;
                  t_schema text;
                  t_name text;
                  t_partition boolean;
                BEGIN
                  IF tg_tag IN ('GRANT', 'REVOKE', 'ALTER DEFAULT PRIVILEGES', 'SECURITY LABEL')
                     OR pg_catalog.current_setting('overlap.ddl_capture_running', true) = 'on' THEN
                    RETURN;
                  END IF;
                  PERFORM pg_catalog.set_config('overlap.ddl_capture_running', 'on', true);
                  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
                  IF tg_event = 'sql_drop' THEN
                    FOR r IN SELECT * FROM pg_event_trigger_dropped_objects() WHERE original LOOP
                      IF r.schema_name LIKE 'pg\\_%%' OR r.schema_name = 'information_schema' THEN
                        NULL;
                      ELSIF r.object_type = 'table' AND r.object_name NOT LIKE 'overlap\\_%%'
                         AND (r.schema_name || '.' || r.object_name) ~ %1$s AND (r.schema_name || '.' || r.object_name) !~ %2$s THEN
                        schemas := schemas || r.schema_name;
                        names := names || r.object_name;
                      ELSIF r.object_type IN ('index', 'type', 'domain', 'sequence') AND r.schema_name ~ %3$s THEN
                        other := true;
                      END IF;
                    END LOOP;
                  ELSE
                    FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
                      t_oid := NULL;
                      t_schema := NULL;
                      IF r.classid = 'pg_class'::regclass THEN
                        SELECT CASE WHEN c.relkind IN ('i', 'I') THEN (SELECT indrelid FROM pg_index WHERE indexrelid = c.oid)
                                    WHEN c.relkind IN ('r', 'p') THEN c.oid END
                        INTO t_oid FROM pg_class c WHERE c.oid = r.objid;
                      ELSIF r.classid = 'pg_constraint'::regclass THEN
                        SELECT NULLIF(conrelid, 0) INTO t_oid FROM pg_constraint WHERE oid = r.objid;
                      END IF;
                      IF t_oid IS NOT NULL THEN
                        SELECT relispartition INTO t_partition FROM pg_class WHERE oid = t_oid;
                        SELECT n.nspname, c.relname INTO t_schema, t_name
                        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE c.oid = CASE WHEN t_partition THEN pg_partition_root(t_oid) ELSE t_oid END;
                      END IF;
                      IF t_schema IS NOT NULL AND t_name NOT LIKE 'overlap\\_%%' AND t_schema NOT LIKE 'pg\\_%%'
                         AND (t_schema || '.' || t_name) ~ %1$s AND (t_schema || '.' || t_name) !~ %2$s THEN
                        IF NOT (t_name = ANY (names) AND t_schema = ANY (schemas)) THEN
                          schemas := schemas || t_schema;
                          names := names || t_name;
                        END IF;
                      ELSIF r.object_type IN ('type', 'domain', 'sequence') AND r.schema_name ~ %3$s
                            AND r.schema_name NOT LIKE 'pg\\_%%' AND r.schema_name <> 'information_schema' THEN
                        other := true;
                      END IF;
                    END LOOP;
                  END IF;
                  IF cardinality(names) > 0 THEN
                    FOR t_oid IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence = 'p'
                                   AND c.relname NOT LIKE 'overlap\\_%%' AND n.nspname NOT LIKE 'pg\\_%%'
                                   AND n.nspname <> 'information_schema'
                                   AND (n.nspname || '.' || c.relname) ~ %1$s AND (n.nspname || '.' || c.relname) !~ %2$s
                                   AND NOT EXISTS (SELECT 1 FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
                                                   WHERE p.pubname = %4$s AND pr.prrelid = c.oid) LOOP
                      IF (SELECT relreplident FROM pg_class WHERE oid = t_oid) = 'd'
                         AND NOT EXISTS (SELECT 1 FROM pg_index WHERE indrelid = t_oid AND indisprimary) THEN
                        EXECUTE format('ALTER TABLE %%s REPLICA IDENTITY FULL', t_oid::regclass);
                      END IF;
                      IF NOT EXISTS (SELECT 1 FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
                                     WHERE p.pubname = %4$s AND pr.prrelid = t_oid) THEN
                        EXECUTE format('ALTER PUBLICATION %%I ADD TABLE %%s', %4$s, t_oid::regclass);
                        SELECT n.nspname, c.relname INTO t_schema, t_name
                        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = t_oid;
                        IF NOT (t_name = ANY (names) AND t_schema = ANY (schemas)) THEN
                          schemas := schemas || t_schema;
                          names := names || t_name;
                        END IF;
                      END IF;
                    END LOOP;
                  END IF;
                  IF (cardinality(names) > 0 OR other) AND NOT EXISTS (
                      SELECT 1 FROM %5$s WHERE pipeline = %6$s AND xid = txid_current() AND ddl = q) THEN
                    INSERT INTO %5$s (pipeline, ddl, search_path, schemas, names)
                    VALUES (%6$s, q, caller_path, schemas, names);
                  END IF;
                  PERFORM pg_catalog.set_config('search_path', caller_path, true);
                  PERFORM pg_catalog.set_config('overlap.ddl_capture_running', 'off', true);
                END
                """.formatted(literal(filter.posixInclude(false)), literal(filter.posixExclude()), literal(filter.posixInclude(true)),
                literal(publication), table, literal(pipeline));
        return List.of(
                "CREATE OR REPLACE FUNCTION " + function + "() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER"
                        + " AS $overlap$" + body + "$overlap$",
                "DROP EVENT TRIGGER IF EXISTS " + dialect.quote(triggerName(pipeline, "end")),
                "CREATE EVENT TRIGGER " + dialect.quote(triggerName(pipeline, "end")) + " ON ddl_command_end EXECUTE FUNCTION "
                        + function + "()",
                "DROP EVENT TRIGGER IF EXISTS " + dialect.quote(triggerName(pipeline, "drop")),
                "CREATE EVENT TRIGGER " + dialect.quote(triggerName(pipeline, "drop")) + " ON sql_drop EXECUTE FUNCTION "
                        + function + "()");
    }

    /**
     * Installs the pipeline's trigger function and event triggers, replacing older ones (the filter may have changed).
     *
     * @param connection a source connection, auto-commit on
     * @param statements {@link #installSql}
     * @throws SQLException when the source refuses (not a superuser: SQLSTATE 42501)
     */
    static void install(Connection connection, List<String> statements) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement st = connection.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /**
     * @param connection a source connection
     * @param pipeline the pipeline
     * @return whether the pipeline's event triggers exist and are enabled
     * @throws SQLException when the catalog cannot be read
     */
    static boolean installed(Connection connection, String pipeline) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT count(*) FROM pg_event_trigger WHERE evtname IN (?, ?)"
                + " AND evtenabled <> 'D'")) {
            ps.setString(1, triggerName(pipeline, "end"));
            ps.setString(2, triggerName(pipeline, "drop"));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getInt(1) == 2;
            }
        }
    }

    /**
     * @param pipeline the pipeline
     * @param dialect for quoting
     * @return the statements that drop the pipeline's event triggers and function (in the user's current schema), at
     *         promote: the old host takes no more DDL to follow
     */
    static List<String> uninstallSql(String pipeline, SqlDialect dialect) {
        return List.of("DROP EVENT TRIGGER IF EXISTS " + dialect.quote(triggerName(pipeline, "end")),
                "DROP EVENT TRIGGER IF EXISTS " + dialect.quote(triggerName(pipeline, "drop")),
                "DROP FUNCTION IF EXISTS " + dialect.quote("overlap_ddl_" + pipeline) + "()");
    }

    private static String triggerName(String pipeline, String event) {
        return "overlap_ddl_" + event + "_" + pipeline;
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
