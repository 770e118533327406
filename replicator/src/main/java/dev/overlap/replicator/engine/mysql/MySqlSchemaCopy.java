package dev.overlap.replicator.engine.mysql;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.catalog.TableCatalog;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.jdbc.Connections;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the selected tables a MySQL/MariaDB target lacks with the server's own {@code SHOW CREATE TABLE}
 * (docs/ARCHITECTURE.md, "Schema copy"), as mysqldump does: columns, defaults, keys, unique and check
 * constraints, indexes, AUTO_INCREMENT, partitioning, comments and foreign keys, all in one statement per
 * table. The target session takes the source's {@code sql_mode} (so that a zero-date default the source
 * accepted is accepted) and {@code foreign_key_checks = 0}, so that tables come in any order. MySQL and
 * MariaDB commit each CREATE TABLE by itself: a failure leaves the tables created before it, which the next
 * start keeps.
 */
final class MySqlSchemaCopy {
    private static final Logger LOG = LoggerFactory.getLogger(MySqlSchemaCopy.class);

    private final Endpoint source;
    private final Endpoint target;

    MySqlSchemaCopy(Endpoint source, Endpoint target) {
        this.source = source;
        this.target = target;
    }

    /**
     * @param tables the selected tables
     * @return the tables created
     * @throws UserError when the source cannot be read or the target refuses, naming the table and the fix
     */
    List<TableId> copy(List<SourceTable> tables) {
        try (Connection s = Connections.open(source); Connection t = Connections.open(target);
             Statement read = s.createStatement(); Statement write = t.createStatement()) {
            try (ResultSet rs = read.executeQuery("SELECT @@SESSION.sql_mode")) {
                rs.next();
                write.execute("SET SESSION sql_mode = '" + rs.getString(1).replace("'", "''") + "'");
            }
            write.execute("SET SESSION foreign_key_checks = 0");
            List<TableId> created = new ArrayList<>();
            for (SourceTable table : tables) {
                if (TableCatalog.exists(t, new TableId(t.getCatalog(), table.id().table()))) {
                    continue;
                }
                String ddl;
                try (ResultSet rs = read.executeQuery("SHOW CREATE TABLE `" + table.id().schema().replace("`", "``") + "`.`"
                        + table.id().table().replace("`", "``") + "`")) {
                    rs.next();
                    ddl = rs.getString(2);
                }
                try {
                    write.execute(ddl);
                } catch (SQLException e) {
                    throw new UserError("target " + target.display() + ": creating table " + table.id() + " as the source has it failed"
                            + " (SQLState " + e.getSQLState() + ": " + e.getMessage() + "); create it yourself (mysqldump --no-data)"
                            + " and set schema: existing");
                }
                created.add(table.id());
            }
            if (!created.isEmpty()) {
                LOG.info("created {} tables on the target with the source's SHOW CREATE TABLE: {}", created.size(), created);
            }
            return created;
        } catch (SQLException e) {
            throw Connections.explain(source, e);
        }
    }
}
