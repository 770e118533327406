package dev.overlap.replicator.stream;

import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.offset.TargetOffsetBackingStore;
import dev.overlap.replicator.offset.TargetSchemaHistory;
import dev.overlap.replicator.source.SourceTable;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Builds the Debezium engine and connector properties of a pipeline. The value conversions of
 * {@link ValueConverter} rely on the settings made here.
 */
public final class EngineProperties {
    private static final Pattern REGEX_META = Pattern.compile("[\\\\^$.|?*+()\\[\\]{},]");

    private EngineProperties() {
    }

    /**
     * @param config the pipeline configuration
     * @param tables the selected source tables, listed explicitly to the connector
     * @return properties for the PostgreSQL connector with pgoutput
     */
    public static Properties postgres(OverlapConfig config, List<SourceTable> tables) {
        Properties p = common(config, tables);
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", config.slotName());
        p.setProperty("publication.name", config.slotName());
        p.setProperty("publication.autocreate.mode", "filtered");
        // a partitioned table's changes arrive under its own name, not its partitions' (PostgreSQL 13+)
        p.setProperty("publish.via.partition.root", "true");
        p.setProperty("interval.handling.mode", "string");
        p.setProperty("snapshot.mode", config.snapshot() == OverlapConfig.SnapshotMode.INITIAL ? "initial" : "no_data");
        return p;
    }

    /**
     * @param config the pipeline configuration
     * @param tables the selected source tables, listed explicitly to the connector
     * @return properties for Debezium's MySQL connector (MySQL 8.0 source)
     */
    public static Properties mysql(OverlapConfig config, List<SourceTable> tables) {
        return binlog(config, tables, "io.debezium.connector.mysql.MySqlConnector");
    }

    /**
     * @param config the pipeline configuration
     * @param tables the selected source tables, listed explicitly to the connector
     * @return properties for Debezium's MariaDB connector (MariaDB 10.11 / 11.x source)
     */
    public static Properties mariadb(OverlapConfig config, List<SourceTable> tables) {
        return binlog(config, tables, "io.debezium.connector.mariadb.MariaDbConnector");
    }

    /**
     * The replication client id of a pipeline: stable across restarts, distinct between pipelines, and
     * above the ids DBAs usually give their servers and replicas (1 … 2^30).
     *
     * @param pipeline the pipeline name
     * @return a {@code database.server.id} in [2^30, 2^31)
     */
    public static long serverId(String pipeline) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(("overlap:" + pipeline).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return (1L << 30) + (crc.getValue() & ((1L << 30) - 1));
    }

    /**
     * Binlog connectors: GTID positions when the server has GTIDs on, file/position otherwise (the
     * connector's own choice); the schema history in the target ({@link TargetSchemaHistory}); BIGINT
     * UNSIGNED as exact decimals.
     */
    private static Properties binlog(OverlapConfig config, List<SourceTable> tables, String connectorClass) {
        Properties p = common(config, tables);
        p.setProperty("connector.class", connectorClass);
        p.setProperty("database.server.id", Long.toString(serverId(config.pipeline())));
        p.setProperty("database.include.list", quote(config.source().database()));
        p.setProperty("schema.history.internal", TargetSchemaHistory.class.getName());
        p.setProperty(TargetSchemaHistory.PIPELINE_PROPERTY, config.pipeline());
        p.setProperty("schema.history.internal.store.only.captured.tables.ddl", "true");
        p.setProperty("include.schema.changes", "false");
        p.setProperty("bigint.unsigned.handling.mode", "precise");
        p.setProperty("snapshot.mode", config.snapshot() == OverlapConfig.SnapshotMode.INITIAL ? "initial" : "no_data");
        p.setProperty("snapshot.locking.mode", "minimal");
        p.setProperty("connect.timeout.ms", "10000");
        return p;
    }

    private static Properties common(OverlapConfig config, List<SourceTable> tables) {
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
                .collect(Collectors.joining(",")));
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

    private static String quote(String name) {
        return REGEX_META.matcher(name).replaceAll("\\\\$0");
    }
}
