package dev.overlap.lag;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The metrics of one pipeline, registered on a Micrometer {@link PrometheusMeterRegistry} and tagged
 * {@code pipeline=<name>}. Names and meanings are those of the README, "Monitoring: lag, metrics, health, status". Thread-safe: the
 * Applier records after each commit while the HTTP endpoint scrapes.
 */
public final class PipelineMetrics {
    private static final long RATE_WINDOW_MS = 10_000;

    private final String pipeline;
    private final String direction;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Tags tags;
    private final Timer batchTimer;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile Supplier<String> state = () -> "starting";
    private final AtomicLong appliedTotal = new AtomicLong();
    private final AtomicInteger snapshotTablesRemaining = new AtomicInteger();
    private final AtomicReference<LastError> lastError = new AtomicReference<>();
    private final AtomicReference<SnapshotProgress> snapshot = new AtomicReference<>();
    private final AtomicReference<String> position = new AtomicReference<>();
    private final Deque<long[]> rateSamples = new ArrayDeque<>();
    private final Instant startedAt = Instant.now();

    /**
     * The newest error.
     *
     * @param kind short class, e.g. {@code apply_retry}
     * @param message one line, never containing a secret
     * @param at when it happened
     */
    public record LastError(String kind, String message, Instant at) {
    }

    /**
     * Where the initial copy stands.
     *
     * @param rowsCopied rows copied so far, all tables
     * @param rowsEstimated the catalog's estimate of all rows to copy (may be exceeded)
     * @param rowsPerSecond rows copied per second since the copy started
     * @param etaSeconds seconds left at that rate, -1 before the rate is known
     */
    public record SnapshotProgress(@JsonProperty("rows_copied") long rowsCopied,
                                   @JsonProperty("rows_estimated") long rowsEstimated,
                                   @JsonProperty("rows_per_second") double rowsPerSecond,
                                   @JsonProperty("eta_seconds") long etaSeconds) {
    }

    /** @param pipeline the pipeline name, the {@code pipeline} tag of every metric; the direction {@code forward} */
    public PipelineMetrics(String pipeline) {
        this(pipeline, "forward");
    }

    /**
     * @param pipeline the pipeline name (the overlap's, the same in both directions), the {@code pipeline} tag of every
     *        metric
     * @param direction {@code forward} (old host to new host) or {@code reverse} (back, after promote), the
     *        {@code direction} tag of every metric
     */
    public PipelineMetrics(String pipeline, String direction) {
        this.pipeline = pipeline;
        this.direction = direction;
        this.tags = Tags.of("pipeline", pipeline, "direction", direction);
        registry.config().commonTags(tags);
        this.batchTimer = Timer.builder("overlap.apply.batch")
                .description("Time per apply transaction on the target")
                .tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        Gauge.builder("overlap.snapshot.tables.remaining", snapshotTablesRemaining, AtomicInteger::get)
                .description("Tables the initial snapshot has not finished yet")
                .tags(tags)
                .register(registry);
        Gauge.builder("overlap.snapshot.rows.estimated", snapshot, s -> s.get() == null ? 0 : s.get().rowsEstimated())
                .description("Rows the initial copy expects to copy (the catalog's estimate)")
                .tags(tags)
                .register(registry);
        Gauge.builder("overlap.snapshot.eta", snapshot, s -> s.get() == null ? 0 : Math.max(0, s.get().etaSeconds()))
                .description("Seconds the initial copy needs yet at its rate so far")
                .tags(tags)
                .baseUnit("seconds")
                .register(registry);
    }

    /** @return {@code forward} or {@code reverse} */
    public String direction() {
        return direction;
    }

    /** @return the pipeline name */
    public String pipeline() {
        return pipeline;
    }

    /** @return the registry, for further meters (lag, JVM, connection pool) and for scraping */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** @return the {@code pipeline} tag every meter carries */
    public Tags tags() {
        return tags;
    }

    /**
     * Observes the pipeline's life-cycle state, which the pipeline owns: {@code overlap_state{state}} is 1
     * for the current state's label and 0 for the others.
     *
     * @param current the current state's label
     * @param labels every state's label
     */
    public void observeState(Supplier<String> current, List<String> labels) {
        this.state = current;
        for (String label : labels) {
            Gauge.builder("overlap.state", this, metrics -> label.equals(metrics.state.get()) ? 1 : 0)
                    .description("1 for the pipeline's current state, 0 for the others")
                    .tags(tags.and("state", label))
                    .register(registry);
        }
    }

    /** @return the label of the pipeline's current state, e.g. {@code streaming} */
    public String stateLabel() {
        return state.get();
    }

    /** @param progress where the initial copy stands, or {@code null} once it is over */
    public void snapshotProgress(SnapshotProgress progress) {
        snapshot.set(progress);
    }

    /** @return where the initial copy stands, or {@code null} when none runs */
    public SnapshotProgress snapshotProgress() {
        return snapshot.get();
    }

    /** @param tables tables whose initial snapshot has not finished */
    public void snapshotTablesRemaining(int tables) {
        snapshotTablesRemaining.set(tables);
    }

    /**
     * Counts applied change events ({@code overlap_events_applied_total}).
     *
     * @param table {@code schema.table}
     * @param op Debezium op code: r, c, u, d or t
     * @param rows how many events
     */
    public void applied(String table, String op, long rows) {
        counter("applied|" + table + "|" + op, () -> Counter.builder("overlap.events.applied")
                .description("Change events applied to the target")
                .tags(tags.and("table", table, "op", op))).increment(rows);
        if (op.equals("r")) {
            counter("snapshot|" + table, () -> Counter.builder("overlap.snapshot.rows")
                    .description("Rows copied by the initial snapshot")
                    .tags(tags.and("table", table))).increment(rows);
        }
        long total = appliedTotal.addAndGet(rows);
        long now = System.currentTimeMillis();
        synchronized (rateSamples) {
            rateSamples.addLast(new long[] {now, total});
            while (rateSamples.size() > 2 && rateSamples.peekFirst()[0] < now - RATE_WINDOW_MS) {
                rateSamples.removeFirst();
            }
        }
    }

    /** @return change events applied since start, all tables and ops (snapshot rows included) */
    public long appliedTotal() {
        return appliedTotal.get();
    }

    /** @return events applied per second over about the last 10 s; 0 when nothing was applied then */
    public double rowsPerSecond() {
        long now = System.currentTimeMillis();
        synchronized (rateSamples) {
            if (rateSamples.isEmpty() || rateSamples.peekLast()[0] < now - RATE_WINDOW_MS) {
                return 0;
            }
            long[] first = rateSamples.peekFirst();
            long[] last = rateSamples.peekLast();
            long span = Math.max(now - first[0], 1000);
            return (last[1] - first[1]) * 1000.0 / span;
        }
    }

    /** @param nanos duration of one committed apply transaction, ns */
    public void batchApplied(long nanos) {
        batchTimer.record(Duration.ofNanos(nanos));
    }

    /** @param sourcePosition the source position of the last committed batch, e.g. {@code lsn=0/16B3748}, or {@code null} */
    public void position(String sourcePosition) {
        position.set(sourcePosition);
    }

    /** @return the source position of the last committed batch, or {@code null} before the first */
    public String position() {
        return position.get();
    }

    /**
     * Counts an error ({@code overlap_errors_total{kind}}) and keeps it as the last error.
     *
     * @param kind short error class, e.g. {@code apply_retry}, {@code heartbeat}, {@code fatal}
     * @param message one line; must not contain a secret
     */
    public void error(String kind, String message) {
        counter("error|" + kind, () -> Counter.builder("overlap.errors")
                .description("Errors, retried and fatal")
                .tags(tags.and("kind", kind))).increment();
        lastError.set(new LastError(kind, message, Instant.now()));
    }

    /** @return the newest error, or {@code null} when there was none */
    public LastError lastError() {
        return lastError.get();
    }

    /** @return when these metrics (the pipeline) started */
    public Instant startedAt() {
        return startedAt;
    }

    /** @return the Prometheus text exposition of every meter */
    public String scrape() {
        return registry.scrape();
    }

    private Counter counter(String key, java.util.function.Supplier<Counter.Builder> builder) {
        return counters.computeIfAbsent(key, k -> builder.get().register(registry));
    }
}
