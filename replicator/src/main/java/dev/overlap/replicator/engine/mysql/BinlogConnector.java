package dev.overlap.replicator.engine.mysql;

import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.config.Tls;
import dev.overlap.replicator.jdbc.DriverTls;
import dev.overlap.replicator.stream.ConnectorProperties;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.zip.CRC32;

/** The properties of Debezium's binlog connectors, MySQL's and MariaDB's, on top of {@link ConnectorProperties#common}. */
final class BinlogConnector {
    private BinlogConnector() {
    }

    /**
     * The replication client id of a pipeline: stable across restarts, distinct between pipelines, and
     * above the ids DBAs usually give their servers and replicas (1 … 2^30).
     *
     * @param pipeline the pipeline name
     * @return a {@code database.server.id} in [2^30, 2^31)
     */
    static long serverId(String pipeline) {
        CRC32 crc = new CRC32();
        crc.update(("overlap:" + pipeline).getBytes(StandardCharsets.UTF_8));
        return (1L << 30) + (crc.getValue() & ((1L << 30) - 1));
    }

    /**
     * GTID positions when the server has GTIDs on, file/position otherwise (the connector's own choice);
     * the schema history in the target ({@link TargetSchemaHistory}); BIGINT UNSIGNED as exact decimals;
     * a short global read lock at the schema snapshot's start only ({@code snapshot.locking.mode=minimal}); the
     * source's TLS settings.
     *
     * @param config the pipeline configuration
     * @param tables the selected source tables, listed explicitly to the connector
     * @param mariadb whether the source is MariaDB (Debezium's MariaDB connector) rather than MySQL
     * @param recoverSchemaHistory whether the offset came from the initial copy and the schema history is still
     *        empty: the connector reads the tables' schema first ({@code snapshot.mode=recovery}), then streams
     * @return the connector's properties
     */
    static Properties properties(OverlapConfig config, List<SourceTable> tables, boolean mariadb, boolean recoverSchemaHistory) {
        Properties p = ConnectorProperties.common(config, tables);
        p.setProperty("connector.class", mariadb ? "io.debezium.connector.mariadb.MariaDbConnector"
                : "io.debezium.connector.mysql.MySqlConnector");
        p.setProperty("database.server.id", Long.toString(serverId(config.pipeline())));
        p.setProperty("database.include.list", ConnectorProperties.quote(config.source().database()));
        p.setProperty("schema.history.internal", TargetSchemaHistory.class.getName());
        p.setProperty(TargetSchemaHistory.PIPELINE_PROPERTY, config.pipeline());
        // every DDL statement of the database: an index statement Debezium does not parse names no captured table
        p.setProperty("schema.history.internal.store.only.captured.tables.ddl", "false");
        // each DDL statement as an event at its place in the stream, which the Applier runs on the target
        p.setProperty("include.schema.changes", "true");
        p.setProperty("bigint.unsigned.handling.mode", "precise");
        // never Debezium's own data snapshot: the initial copy is Overlap's
        p.setProperty("snapshot.mode", recoverSchemaHistory ? "recovery" : "no_data");
        p.setProperty("snapshot.locking.mode", "minimal");
        p.setProperty("connect.timeout.ms", "10000");
        // the binlog client's keep-alive thread reconnects a lost binlog connection at this interval (Debezium's
        // default 60 s): a source back from a restart or an outage is streamed from again within 10 s
        p.setProperty("connect.keep.alive.interval.ms", "10000");
        Tls tls = config.source().tls();
        if (tls != null) {
            tls(tls, mariadb, p);
        }
        return p;
    }

    /**
     * The source's TLS settings in the terms of Debezium's binlog connectors, which hand them to both their JDBC
     * connection and the binlog client. Their {@code database.ssl.mode} values differ (MySQL: {@code disabled …
     * verify_identity}; MariaDB: {@code disable, trust, verify-ca, verify-full}); both read the CA and the client
     * certificate only from key stores ({@code database.ssl.truststore}, {@code database.ssl.keystore}). Without a
     * trust store a verifying mode checks against the JVM's trust store; {@code require} checks nothing.
     */
    private static void tls(Tls tls, boolean mariadb, Properties p) {
        p.setProperty("database.ssl.mode", switch (tls.mode()) {
            case DISABLE -> mariadb ? "disable" : "disabled";
            case REQUIRE -> mariadb ? "trust" : "required";
            case VERIFY_CA -> mariadb ? "verify-ca" : "verify_ca";
            case VERIFY_FULL -> mariadb ? "verify-full" : "verify_identity";
        });
        if (tls.ca() != null && tls.mode().verifies()) {
            DriverTls.KeyStoreFile trust = DriverTls.trustStore(tls);
            p.setProperty("database.ssl.truststore", trust.path().toString());
            p.setProperty("database.ssl.truststore.password", trust.password());
        }
        if (tls.cert() != null) {
            DriverTls.KeyStoreFile keys = DriverTls.keyStore(tls);
            p.setProperty("database.ssl.keystore", keys.path().toString());
            p.setProperty("database.ssl.keystore.password", keys.password());
        }
    }
}
