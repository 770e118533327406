package dev.overlap.replicator.stream;

import dev.overlap.replicator.catalog.TableId;
import java.util.List;

/**
 * One DDL statement the source ran, at its place in the stream (docs/ARCHITECTURE.md, "Schema changes"):
 * from the binlog on MySQL/MariaDB (Debezium's schema change event), from the capture table
 * {@value #CAPTURE_TABLE} that Overlap's event trigger fills on PostgreSQL.
 *
 * @param pipeline the pipeline whose event trigger captured it (PostgreSQL), or {@code null} for a statement of
 *        the binlog, which belongs to every pipeline reading it
 * @param ddl the statement as the application sent it; may hold row values (a DEFAULT), so it is never logged
 * @param defaultSchema the schema ({@code search_path} on PostgreSQL) or database the statement ran in
 * @param tables the tables it creates, alters or drops, as the source names them after it ran; empty for a
 *        statement on another object (a type, a sequence, an index whose table is gone)
 * @param sourceTsMs source commit time, ms since the epoch
 */
public record SchemaChange(String pipeline, String ddl, String defaultSchema, List<TableId> tables, long sourceTsMs) {
    /** The PostgreSQL source table Overlap's event trigger writes each captured statement to. */
    public static final String CAPTURE_TABLE = "overlap_ddl";

    /** @return the statement's first words, e.g. {@code ALTER TABLE}, for log lines that must not show the statement */
    public String command() {
        String[] words = ddl.strip().split("\\s+", 4);
        StringBuilder command = new StringBuilder(words[0].toUpperCase(java.util.Locale.ROOT));
        if (words.length > 1 && words[1].matches("(?i)TABLE|INDEX|UNIQUE|TYPE|SEQUENCE|DOMAIN|VIEW|SCHEMA|DATABASE")) {
            command.append(' ').append(words[1].toUpperCase(java.util.Locale.ROOT));
        }
        return command.toString();
    }
}
