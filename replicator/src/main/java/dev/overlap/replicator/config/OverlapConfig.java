package dev.overlap.replicator.config;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A validated {@code overlap.yml}: every value checked, every secret resolved. Built by
 * {@link ConfigLoader}; see the README's configuration reference for each key.
 *
 * @param pipeline name of the pipeline: tags every metric and names the replication slot and publication
 * @param source the database read from
 * @param target the database written to
 * @param tables which source tables to replicate
 * @param schema whether a new pipeline creates the selected tables on the target, or {@code null} to decide by the
 *        target: copy when it has none of them
 * @param snapshot whether and how a new pipeline copies the existing rows before streaming
 * @param maxBatchRows most change events per apply transaction (rows)
 * @param metricsListen address of the HTTP endpoint serving {@code /metrics}
 * @param metricsTls HTTPS for that endpoint, or {@code null} for plain HTTP
 * @param adminToken bearer token for the admin POST endpoints, or {@code null} when not set
 * @param promote settings of the cutover
 */
public record OverlapConfig(String pipeline, Endpoint source, Endpoint target, TableFilter tables, SchemaMode schema,
                            Snapshot snapshot, int maxBatchRows, InetSocketAddress metricsListen, ListenerTls metricsTls,
                            Secret adminToken, Promote promote) {

    /** Whether a new pipeline creates the selected tables on the target. */
    public enum SchemaMode {
        /** create the selected tables the target lacks, from the source's catalog */
        COPY,
        /** the target's tables exist already and must match */
        EXISTING
    }

    /** Whether a new pipeline copies the existing rows first. */
    public enum SnapshotMode {
        /** copy every selected table, then stream */
        INITIAL,
        /** stream only the changes from now on; the target already holds the rows */
        NEVER
    }

    /**
     * @param mode whether a new pipeline copies the rows first
     * @param threads how many source sessions copy in parallel (each with a target connection)
     * @param maxRowsPerSecond the most rows per second the copy reads from the source, all sessions together; 0 for
     *        no limit
     */
    public record Snapshot(SnapshotMode mode, int threads, int maxRowsPerSecond) {
    }

    /** What promote verifies before opening the target (README, "Cutover"). */
    public enum VerifyMode {
        /** nothing */
        NONE,
        /** row counts of every table, frozen */
        COUNTS,
        /** chunked hashes of every table, frozen */
        CHECKSUM,
        /** chunked hashes of every table while streaming, and frozen the rows changed since, by key */
        EXACT
    }

    /**
     * @param maxLag the largest replication lag at which promote starts
     * @param verify what promote verifies between catch-up and opening the target
     * @param timeout how long promote waits for the catch-up before it aborts
     * @param verifyInterval how often the daemon verifies every table while streaming with {@link VerifyMode#EXACT};
     *        zero for only at promote
     * @param reverse whether promote prepares the reverse direction (new host to old host) and the daemon runs it after
     *        PROMOTED, until {@code overlap rollback} or {@code overlap finish}
     * @param spareRoles roles whose sessions the source freeze does not end (besides the source user), e.g. monitoring
     */
    public record Promote(Duration maxLag, VerifyMode verify, Duration timeout, Duration verifyInterval, boolean reverse,
                          java.util.List<String> spareRoles) {
    }

    /**
     * @param path an endpoint path such as {@code /status}
     * @return the daemon's URL for it: {@code metrics.listen}, with a wildcard address reached on loopback; https when
     *         {@code metrics.tls} is set
     */
    public java.net.URI daemonUri(String path) {
        boolean wildcard = metricsListen.getAddress() != null && metricsListen.getAddress().isAnyLocalAddress();
        String host = wildcard ? "127.0.0.1" : metricsListen.getHostString();
        return java.net.URI.create((metricsTls == null ? "http://" : "https://") + host + ":" + metricsListen.getPort() + path);
    }

    /** The suffix of the reverse direction's pipeline name: {@code shop_reverse} replicates the new host back to the old. */
    public static final String REVERSE_SUFFIX = "_reverse";

    /** @return whether this is the reverse direction, new host to old host ({@link #reversed}) */
    public boolean reverse() {
        return pipeline.endsWith(REVERSE_SUFFIX);
    }

    /**
     * The other direction of the same overlap: source and target swapped, the pipeline named {@code <pipeline>_reverse}
     * (or back without the suffix), the target's tables existing and no initial copy (the direction starts from the
     * position promote stored for it). {@code reversed().reversed()} names this pipeline and its endpoints again; it
     * resumes from the position the rollback stored, so it needs no schema copy or initial copy either.
     *
     * @return the configuration of the other direction
     */
    public OverlapConfig reversed() {
        String other = reverse() ? pipeline.substring(0, pipeline.length() - REVERSE_SUFFIX.length()) : pipeline + REVERSE_SUFFIX;
        Endpoint newSource = new Endpoint("source", target.url(), target.kind(), target.host(), target.port(), target.database(),
                target.user(), target.password(), target.tls());
        Endpoint newTarget = new Endpoint("target", source.url(), source.kind(), source.host(), source.port(), source.database(),
                source.user(), source.password(), source.tls());
        return new OverlapConfig(other, newSource, newTarget, tables, reverse() ? schema : SchemaMode.EXISTING,
                reverse() ? snapshot : new Snapshot(SnapshotMode.NEVER, snapshot.threads(), snapshot.maxRowsPerSecond()),
                maxBatchRows, metricsListen, metricsTls, adminToken, promote);
    }

    /** @return the name the user gave the overlap: the pipeline without {@link #REVERSE_SUFFIX} */
    public String overlapName() {
        return reverse() ? pipeline.substring(0, pipeline.length() - REVERSE_SUFFIX.length()) : pipeline;
    }

    /** @return the replication slot and publication name on a PostgreSQL source: {@code overlap_<pipeline>} */
    public String slotName() {
        return "overlap_" + pipeline;
    }
}
