package dev.overlap.replicator.stream;

import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.offset.TargetOffsetBackingStore;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The Debezium engine and connector properties every engine's connector gets ({@link #common}); each
 * engine package adds its connector's own. The value conversions of {@link ValueConverter} rely on the
 * settings made here.
 */
public final class ConnectorProperties {
    private static final Pattern REGEX_META = Pattern.compile("[\\\\^$.|?*+()\\[\\]{},]");

    private ConnectorProperties() {
    }

    /**
     * Offsets in the target ({@link TargetOffsetBackingStore}), the source's host and credentials, the
     * streamed tables listed explicitly and the table filter as a pattern (for the tables DDL creates while
     * streaming), and the conversions {@link ValueConverter} expects: precise decimals, microsecond times,
     * bytes for binary values; no tombstones; batches of {@code apply.max-batch-rows}.
     *
     * @param config the pipeline configuration
     * @param tables the selected source tables, listed explicitly to the connector
     * @return the common properties
     */
    public static Properties common(OverlapConfig config, List<SourceTable> tables) {
        Properties p = new Properties();
        p.setProperty("name", config.pipeline());
        p.setProperty("topic.prefix", config.pipeline());
        p.setProperty("offset.storage", TargetOffsetBackingStore.class.getName());
        p.setProperty(TargetOffsetBackingStore.PIPELINE_PROPERTY, config.pipeline());
        p.setProperty("offset.flush.interval.ms", "0");
        p.setProperty("database.hostname", config.source().host());
        p.setProperty("database.port", Integer.toString(config.source().port()));
        p.setProperty("database.user", config.source().user());
        p.setProperty("database.password", config.source().password().reveal());
        p.setProperty("database.dbname", config.source().database());
        p.setProperty("table.include.list", tables.stream()
                .map(t -> quote(t.id().schema()) + "\\." + quote(t.id().table()))
                .collect(Collectors.joining(",")) + "," + config.tables().regex());
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("skipped.operations", "none");
        p.setProperty("decimal.handling.mode", "precise");
        p.setProperty("time.precision.mode", "adaptive_time_microseconds");
        p.setProperty("binary.handling.mode", "bytes");
        p.setProperty("max.batch.size", Integer.toString(config.maxBatchRows()));
        p.setProperty("max.queue.size", Integer.toString(config.maxBatchRows() * 4));
        p.setProperty("poll.interval.ms", "50");
        p.setProperty("heartbeat.interval.ms", "5000");
        return p;
    }

    /**
     * @param name a database, schema or table name
     * @return it as a literal part of Debezium's include-list regular expressions
     */
    public static String quote(String name) {
        return REGEX_META.matcher(name).replaceAll("\\\\$0");
    }
}
