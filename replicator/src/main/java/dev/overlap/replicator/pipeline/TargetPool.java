package dev.overlap.replicator.pipeline;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.overlap.replicator.config.DatabaseKind;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.jdbc.DriverTls;
import dev.overlap.replicator.sql.SqlDialect;
import io.micrometer.core.instrument.MeterRegistry;

/** The pipeline's HikariCP pool of apply connections to the target. */
final class TargetPool {
    /** The longest wait for the target on an apply connection, but during a DDL statement. */
    static final java.time.Duration SOCKET_TIMEOUT = java.time.Duration.ofSeconds(60);

    private TargetPool() {
    }

    /**
     * Two connections, auto-commit off, each set up with the dialect's apply session SQL; a dead target is
     * noticed within 5 s (Hikari's default waits 30 s) and the Applier then keeps retrying. PostgreSQL
     * connections bind strings untyped ({@code stringtype=unspecified}, so the server casts them to the
     * column type) and leave the server's error detail out of messages (it quotes row values). The target's TLS
     * settings apply ({@link DriverTls}), and a read-only PostgreSQL target database is written all the same
     * ({@link Connections#sessionOverrides}).
     *
     * @param config the pipeline's configuration
     * @param dialect the target's dialect
     * @param registry where the pool's metrics go
     * @return the open pool
     */
    static HikariDataSource open(OverlapConfig config, SqlDialect dialect, MeterRegistry registry) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("overlap-target");
        hikari.setJdbcUrl(config.target().url());
        hikari.setUsername(config.target().user());
        hikari.setPassword(config.target().password().reveal());
        hikari.setAutoCommit(false);
        hikari.setMaximumPoolSize(2);
        hikari.setConnectionTimeout(5_000);
        hikari.setConnectionInitSql(dialect.applySessionSql());
        // a silent partition fails the batch within this (and the Applier retries it) instead of hanging for ~15 min;
        // the Applier lifts it for DDL statements, which may run long (pgjdbc counts seconds, the others ms)
        hikari.addDataSourceProperty("socketTimeout", config.target().kind() == DatabaseKind.POSTGRESQL
                ? Long.toString(SOCKET_TIMEOUT.toSeconds()) : Long.toString(SOCKET_TIMEOUT.toMillis()));
        hikari.addDataSourceProperty("ApplicationName", "overlap-" + config.pipeline());
        if (config.target().kind() == DatabaseKind.POSTGRESQL) {
            hikari.addDataSourceProperty("stringtype", "unspecified");
            hikari.addDataSourceProperty("logServerErrorDetail", "false");
        }
        java.util.Properties driver = Connections.sessionOverrides(config.target());
        DriverTls.addTo(config.target(), driver);
        driver.forEach((name, value) -> hikari.addDataSourceProperty((String) name, value));
        hikari.setMetricRegistry(registry);
        return new HikariDataSource(hikari);
    }
}
