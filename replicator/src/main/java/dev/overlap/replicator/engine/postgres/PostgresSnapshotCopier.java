package dev.overlap.replicator.engine.postgres;

import com.google.common.util.concurrent.RateLimiter;
import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.copy.ConsistentSnapshot;
import dev.overlap.replicator.copy.CopyChunk;
import dev.overlap.replicator.copy.SnapshotCopier;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.jdbc.DriverTls;
import dev.overlap.replicator.offset.SourcePosition;
import dev.overlap.replicator.sql.SqlDialect;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;
import org.postgresql.replication.ReplicationSlotInfo;

/**
 * PostgreSQL's initial copy, as pgcopydb does it: the publication is created first (pgoutput looks it up
 * as of each change it decodes), then the replication slot with an exported snapshot over a replication
 * connection ({@code CREATE_REPLICATION_SLOT … LOGICAL pgoutput}, which exports by default); each session
 * imports that snapshot ({@code SET TRANSACTION SNAPSHOT}, PostgreSQL manual "Snapshot Synchronization
 * Functions"), so all of them read the database as of the slot's consistent point, from which the slot
 * streams. Rows travel with {@code COPY … TO STDOUT} from the source straight into {@code COPY … FROM
 * STDIN} on the target, in binary format when every column has the same built-in type on both sides
 * (binary data names types by OID, which only built-in types share across servers) and in text
 * format otherwise.
 */
final class PostgresSnapshotCopier implements SnapshotCopier {
    /** PostgreSQL's {@code FirstNormalObjectId}: OIDs below it are built in and the same on every server. */
    private static final long FIRST_NORMAL_OID = 16_384;
    private static final Set<String> INTEGER_TYPES = Set.of("int2", "int4", "int8", "smallserial", "serial", "bigserial");
    /** Output and input formats both sides agree on whatever the servers' defaults (as pg_dump sets them). */
    private static final String SESSION_SQL = "SET DateStyle = ISO; SET IntervalStyle = postgres; SET extra_float_digits = 3";

    private final Endpoint source;
    private final Endpoint target;
    private final PostgresSource catalog;
    private final String slot;
    private final List<TableId> published;
    private final SqlDialect dialect;
    private final Map<TableId, Boolean> binary = new ConcurrentHashMap<>();

    /**
     * @param source the source
     * @param target the target, whose column types decide the format
     * @param catalog the source's checks, for the publication
     * @param slot the slot and publication name
     * @param published the tables the publication carries, when the copy creates it: the selected ones and Overlap's
     * @param dialect PostgreSQL's dialect
     */
    PostgresSnapshotCopier(Endpoint source, Endpoint target, PostgresSource catalog, String slot, List<TableId> published,
                           SqlDialect dialect) {
        this.source = source;
        this.target = target;
        this.catalog = catalog;
        this.slot = slot;
        this.published = published;
        this.dialect = dialect;
    }

    @Override
    public ConsistentSnapshot open(List<SourceTable> tables, int sessions) throws SQLException {
        catalog.createPublication(slot, published, dialect);
        List<Connection> opened = new ArrayList<>();
        try (Connection replication = replicationConnection()) {
            ReplicationSlotInfo info = replication.unwrap(PGConnection.class).getReplicationAPI().createReplicationSlot()
                    .logical().withSlotName(slot).withOutputPlugin("pgoutput").make();
            for (int i = 0; i < sessions; i++) {
                opened.add(importSnapshot(info.getSnapshotName()));
            }
            SourcePosition position = new SourcePosition.Lsn(info.getConsistentPoint().asLong(), false);
            return new ConsistentSnapshot(List.copyOf(opened), position);
        } catch (SQLException | RuntimeException e) {
            opened.forEach(ConsistentSnapshot::closeQuietly);
            throw e;
        }
    }

    /** A connection in replication mode, which can create a slot that exports its snapshot. */
    private Connection replicationConnection() throws SQLException {
        Properties props = source.credentials();
        DriverTls.addTo(source, props);
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        PGProperty.APPLICATION_NAME.set(props, "overlap");
        return DriverManager.getConnection(source.url(), props);
    }

    private Connection importSnapshot(String snapshotName) throws SQLException {
        Connection c = Connections.open(source);
        try {
            try (Statement st = c.createStatement()) {
                st.execute(SESSION_SQL);
            }
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try (Statement st = c.createStatement()) {
                st.execute("SET TRANSACTION SNAPSHOT '" + snapshotName.replace("'", "''") + "'");
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            ConsistentSnapshot.closeQuietly(c);
            throw e;
        }
    }

    /** The sum of {@code pg_class.reltuples} over the table's partition tree (the table itself when it has none). */
    @Override
    public long estimateRows(Connection c, TableId table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(GREATEST(reltuples, 0)), 0)::bigint FROM pg_class"
                + " WHERE oid IN (SELECT relid FROM pg_partition_tree(?::regclass))")) {
            ps.setString(1, dialect.table(table));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    public long copy(Connection from, Connection to, CopyChunk chunk, RateLimiter limit, LongConsumer copied)
            throws SQLException, InterruptedException {
        String format = binary.computeIfAbsent(chunk.table(), t -> sameBuiltInTypes(from, to, chunk)) ? "binary" : "text";
        String columns = chunk.columns().stream().map(dialect::quote).collect(Collectors.joining(", "));
        CopyOut out = from.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT " + columns + " FROM "
                + dialect.table(chunk.table()) + chunk.where(dialect) + ") TO STDOUT (FORMAT " + format + ")");
        CopyIn in = null;
        try {
            in = to.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + dialect.table(chunk.table()) + " (" + columns
                    + ") FROM STDIN (FORMAT " + format + ")");
            long messages = 0;
            byte[] data;
            while ((data = out.readFromCopy()) != null) {
                in.writeToCopy(data, 0, data.length);
                messages++; // one message per row, plus the binary format's header and trailer
                if (limit != null) {
                    limit.acquire();
                }
                if ((messages & 0x3FF) == 0) {
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                    if ((messages & 0x3FFF) == 0) {
                        copied.accept(messages);
                    }
                }
            }
            return in.endCopy();
        } catch (SQLException | InterruptedException | RuntimeException e) {
            if (in != null && in.isActive()) {
                cancelQuietly(in);
            }
            if (out.isActive()) {
                cancelQuietly(out);
            }
            throw e;
        }
    }

    @Override
    public String targetSessionSql() {
        return dialect.applySessionSql() + "; " + SESSION_SQL + "; SET synchronous_commit = off";
    }

    @Override
    public boolean integerType(String typeName) {
        return INTEGER_TYPES.contains(typeName);
    }

    /** Whether every copied column has the same built-in type (by OID) on both sides, so that binary COPY reads back. */
    private boolean sameBuiltInTypes(Connection from, Connection to, CopyChunk chunk) {
        try {
            Map<String, Long> source = columnTypes(from, chunk.table());
            Map<String, Long> target = columnTypes(to, chunk.table());
            to.commit();
            return chunk.columns().stream().allMatch(c -> source.get(c) != null && source.get(c) < FIRST_NORMAL_OID
                    && source.get(c).equals(target.get(c)));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the column types of " + chunk.table() + " (SQLState " + e.getSQLState() + ")", e);
        }
    }

    private Map<String, Long> columnTypes(Connection c, TableId table) throws SQLException {
        Map<String, Long> types = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT attname, atttypid::bigint FROM pg_attribute"
                + " WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped")) {
            ps.setString(1, dialect.table(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    types.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return types;
    }

    private static void cancelQuietly(org.postgresql.copy.CopyOperation copy) {
        try {
            copy.cancelCopy();
        } catch (SQLException e) {
            // the connection is broken already; closing it ends the copy
        }
    }
}
