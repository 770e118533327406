package dev.overlap.replicator.engine.mysql;

import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.stream.ChangeBatch;
import dev.overlap.replicator.stream.SchemaChange;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The table of a {@code CREATE INDEX} or {@code DROP INDEX} statement. Debezium's binlog connectors parse only
 * a unique {@code CREATE INDEX} into a table change (their model of a table holds its key, not its other
 * indexes); any other index statement arrives as a database-wide schema change that names no table. The table
 * is read from the statement (MySQL and MariaDB manuals, "CREATE INDEX Statement", "DROP INDEX Statement").
 */
final class IndexStatement {
    private static final String NAME = "(?:`(?:[^`]|``)+`|[\\w$]+)";
    private static final Pattern INDEX = Pattern.compile("(?is)^\\s*(?:CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:ONLINE\\s+|OFFLINE\\s+)?"
            + "(?:UNIQUE\\s+|FULLTEXT\\s+|SPATIAL\\s+)?INDEX|DROP\\s+INDEX)\\s+(?:IF\\s+(?:NOT\\s+)?EXISTS\\s+)?" + NAME
            + "(?:\\s+USING\\s+\\w+)?\\s+ON\\s+(?:(" + NAME + ")\\.)?(" + NAME + ")");

    private IndexStatement() {
    }

    /**
     * @param batch a decoded batch
     * @return the batch with the table filled in for each index statement that names none
     */
    static ChangeBatch withTable(ChangeBatch batch) {
        List<SchemaChange> statements = batch.schemaChanges().stream().map(IndexStatement::withTable).toList();
        return new ChangeBatch(batch.changes(), batch.partition(), batch.offset(), batch.records(), statements);
    }

    private static SchemaChange withTable(SchemaChange ddl) {
        Matcher m = ddl.tables().isEmpty() ? INDEX.matcher(ddl.ddl()) : null;
        if (m == null || !m.find()) {
            return ddl;
        }
        TableId table = new TableId(m.group(1) == null ? ddl.defaultSchema() : unquote(m.group(1)), unquote(m.group(2)));
        return new SchemaChange(ddl.pipeline(), ddl.ddl(), ddl.defaultSchema(), List.of(table), ddl.sourceTsMs());
    }

    private static String unquote(String name) {
        return name.startsWith("`") ? name.substring(1, name.length() - 1).replace("``", "`") : name;
    }
}
