package dev.overlap.replicator.promote;

import dev.overlap.lag.PipelineMetrics;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.http.DaemonHttpServer;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.lifecycle.Lifecycle;
import dev.overlap.replicator.lifecycle.PipelineState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cutover state machine (docs/ARCHITECTURE.md, "Promote"), run inside the daemon when {@code POST /promote}
 * arrives: PRECHECK → VERIFY_LIVE (with {@code promote.verify: exact}) → FREEZE_SOURCE → FENCE → CATCH_UP → VERIFY →
 * FIX_SEQUENCES → PREPARE_REVERSE (with {@code promote.reverse}, READY_REVERSE before the freeze) → STOP_STREAM →
 * OPEN_TARGET → PROMOTED, each logged
 * with its duration. The same machine runs a rollback: the reverse direction's pipeline promoted.
 *
 * <p>The fence is a unique row written into the heartbeat table after the freeze; logical decoding
 * delivers commits in commit order, so once the target holds the fence it holds every write the source
 * accepted. A failure before OPEN_TARGET restores the source's read-only setting, resumes streaming
 * and reports {@code aborted} (exit 4). A failure in OPEN_TARGET (its answer lost, say) is followed by reading whether
 * the target opened: open, the promote completes; certainly still read-only, the source is returned to writable and
 * the promote is {@code aborted} (the stream stopped for the cutover, so the daemon exits and its next start streams
 * on); not known in {@code promote.timeout}, {@code failed} (exit 1) with the source still frozen and the one check to
 * make. So there is never a moment with two writable masters. A promote after a finished one reports the stored
 * {@code promoted} report again. The durable state is kept by {@link PromotionStore}, so a crash in between is
 * finished by {@link PromotionGuard#finishInterrupted}.
 */
public final class Promoter {
    private static final Logger LOG = LoggerFactory.getLogger(Promoter.class);
    private static final long POLL_MS = 20;

    private final OverlapConfig config;
    private final PipelineControl pipeline;
    private final Lifecycle lifecycle;
    private final PipelineMetrics metrics;
    private final Cutover cutover;
    private final PromotionStore store;
    private final CutoverVerification verification;
    private final ReverseStart reverse;
    /** Whether this promote began PREPARE_REVERSE, so that an abort discards what it created. */
    private boolean reversePrepared;

    /**
     * @param config the pipeline's configuration
     * @param pipeline the running pipeline
     * @param cutover the engine's cutover operations
     * @param store the pipeline's promotion store on the target
     * @param verification what VERIFY_LIVE and VERIFY compare
     * @param reverse the other direction's start point, or {@code null} without {@code promote.reverse}
     */
    public Promoter(OverlapConfig config, PipelineControl pipeline, Cutover cutover, PromotionStore store,
                    CutoverVerification verification, ReverseStart reverse) {
        this.config = config;
        this.pipeline = pipeline;
        this.lifecycle = pipeline.lifecycle();
        this.metrics = pipeline.metrics();
        this.cutover = cutover;
        this.store = store;
        this.verification = verification;
        this.reverse = reverse;
    }

    /** A step failed; the message says why, for the report. */
    private static final class StepFailure extends Exception {
        private static final long serialVersionUID = 1L;
        /** The message without row keys, for the log and {@code /status}; the report alone names the keys. */
        private final String logged;

        StepFailure(String message) {
            this(message, message);
        }

        StepFailure(String message, String logged) {
            super(message, null, false, false);
            this.logged = logged;
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** Tracks states entered and their durations. */
    private static final class Run {
        final List<PromoteReport.Step> steps = new ArrayList<>();
        PromoteState state;

        void step(PromoteState next, Step action) throws Exception {
            state = next;
            long start = System.nanoTime();
            LOG.info("promote: {}", next);
            try {
                action.run();
            } finally {
                long ms = (System.nanoTime() - start) / 1_000_000;
                steps.add(new PromoteReport.Step(next, ms));
                LOG.info("promote: {} took {} ms", next, ms);
            }
        }

        long ms(PromoteState... states) {
            return steps.stream().filter(s -> List.of(states).contains(s.state())).mapToLong(PromoteReport.Step::ms).sum();
        }
    }

    /**
     * The admin endpoint's entry: query {@code dry_run=true} and/or {@code keep_slot=true}.
     *
     * @param query the request's query string, or {@code null}
     * @return 200 with the report for every outcome (the report's outcome tells)
     */
    public DaemonHttpServer.AdminResponse handle(String query) {
        String q = query == null ? "" : "&" + query + "&";
        PromoteReport report = promote(q.contains("&dry_run=true&"), q.contains("&keep_slot=true&"));
        return new DaemonHttpServer.AdminResponse(200, report.toJson());
    }

    /**
     * Runs the cutover, or with {@code dryRun} only PRECHECK and a fence round trip without freezing.
     *
     * @param dryRun measure the expected write downtime, change nothing
     * @param keepSlot keep the source's replication slot and publication after PROMOTED
     * @return the report; never throws
     */
    public synchronized PromoteReport promote(boolean dryRun, boolean keepSlot) {
        Run run = new Run();
        Optional<PromotionStore.Promotion> done = loadPromotion();
        if (done.isPresent() && "promoted".equals(done.get().state()) && done.get().report() != null) {
            return PromoteReport.fromJson(done.get().report());
        }
        String previousReadOnly = null;
        reversePrepared = false;
        boolean frozen = false;
        Instant frozenAt = null;
        int[] sequences = {0};
        List<String> warnings = new ArrayList<>();
        try {
            run.step(PromoteState.PRECHECK, this::precheck);
            if (config.promote().verify() == OverlapConfig.VerifyMode.EXACT) {
                run.step(PromoteState.VERIFY_LIVE, () -> verifyLive(dryRun, warnings));
            }
            if (!dryRun && reverse != null) {
                reversePrepared = true;
                run.step(PromoteState.READY_REVERSE, reverse::ready);
            }
            if (!dryRun) {
                lifecycle.enter(PipelineState.PROMOTING);
                pipeline.pauseHeartbeat(true);
                previousReadOnly = cutover.sourceReadOnlySetting();
                String previous = previousReadOnly;
                run.step(PromoteState.FREEZE_SOURCE, () -> {
                    withTarget(c -> store.save(c, new PromotionStore.Promotion("frozen", previous, null)));
                    LOG.info("promote: ended {} application sessions on the source", cutover.freezeSource());
                });
                frozen = true;
                frozenAt = Instant.now();
            }
            String fence = config.pipeline() + "#fence";
            LocalDateTime fenceAt = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
            run.step(PromoteState.FENCE, () -> cutover.writeFence(pipeline.heartbeatTable(), fence, fenceAt));
            run.step(PromoteState.CATCH_UP, () -> awaitFence(fence, fenceAt));
            run.step(PromoteState.VERIFY, () -> verify(dryRun, warnings));
            if (dryRun) {
                return new PromoteReport(config.pipeline(), "dry_run", run.state, run.steps, null,
                        run.ms(PromoteState.FENCE, PromoteState.CATCH_UP, PromoteState.VERIFY), null, null, null,
                        pipeline.tables().size(), null, warnings.isEmpty() ? null : warnings);
            }
            run.step(PromoteState.FIX_SEQUENCES, () -> sequences[0] = cutover.fixSequences());
            if (reverse != null) {
                run.step(PromoteState.PREPARE_REVERSE, reverse::prepare);
            }
            run.step(PromoteState.STOP_STREAM, pipeline::stopStream);
        } catch (Exception e) {
            return abort(run, e, frozen, previousReadOnly, frozenAt, dryRun);
        }
        Instant openedAt;
        String previous = previousReadOnly;
        try {
            run.step(PromoteState.OPEN_TARGET, () -> {
                withTarget(c -> store.save(c, new PromotionStore.Promotion("opening", previous, null)));
                cutover.openTarget();
            });
            openedAt = Instant.now();
        } catch (Exception e) {
            Boolean open = targetOpenAfter(e);
            if (open == null) {
                lifecycle.enter(PipelineState.FAILED);
                String error = "OPEN_TARGET: " + message(e) + "; whether the target opened is not known, so the source stays"
                        + " frozen. Check on the target: " + cutover.targetOpenCheck() + "; or run overlap promote again once"
                        + " the target answers, which finds out and completes the promote or returns the source to writable";
                metrics.error("promote", error);
                LOG.error("promote failed at OPEN_TARGET, after the stream stopped: {}", error);
                return new PromoteReport(config.pipeline(), "failed", PromoteState.OPEN_TARGET, run.steps, null, null, frozenAt,
                        null, sequences[0], pipeline.tables().size(), error, null);
            }
            if (!open) {
                // certainly still closed: nothing was switched, the source may take writes again; the stream stopped
                // for the cutover, so the daemon ends (FAILED) and its next start streams on
                lifecycle.enter(PipelineState.FAILED);
                LOG.warn("promote: the target is still read-only; the stream was stopped for the cutover, so the daemon exits"
                        + " and its next start streams on");
                return abort(run, e, true, previousReadOnly, frozenAt, false);
            }
            openedAt = Instant.now();
            warnings.add("OPEN_TARGET's answer was lost (" + message(e) + "), but the target reads as open: promoted");
        }
        run.state = PromoteState.PROMOTED;
        run.steps.add(new PromoteReport.Step(PromoteState.PROMOTED, 0));
        if (reverse != null) {
            try {
                reverse.forgetOtherPromotion();
            } catch (SQLException e) {
                warnings.add("could not clear the other direction's promotion record on the source (SQLState " + e.getSQLState()
                        + "); the next start may take the wrong direction");
            }
        }
        if (!keepSlot) {
            try {
                cutover.dropReplication(config.slotName());
            } catch (SQLException e) {
                warnings.add("could not drop replication slot and publication " + config.slotName() + " on the source: "
                        + message(e) + "; drop them by hand, or the old host keeps WAL");
            }
        }
        long downtime = java.time.Duration.between(frozenAt, openedAt).toMillis()
                + run.ms(PromoteState.FREEZE_SOURCE);
        PromoteReport report = new PromoteReport(config.pipeline(), "promoted", PromoteState.PROMOTED, run.steps, downtime, null,
                frozenAt, openedAt, sequences[0], pipeline.tables().size(), null, warnings.isEmpty() ? null : warnings);
        try {
            withTarget(c -> store.save(c, new PromotionStore.Promotion("promoted", null, report.toJson())));
        } catch (Exception e) {
            warnings.add("could not record the promotion in " + PromotionStore.TABLE + ": " + message(e));
        }
        lifecycle.enter(PipelineState.PROMOTED);
        LOG.info("promote: PROMOTED; write downtime {} ms", downtime);
        return report;
    }

    /**
     * Fails at once on a failed or non-streaming pipeline or a missing privilege. Lag above
     * {@code promote.max-lag} is waited out for up to {@code promote.timeout}, as gh-ost waits for
     * low lag before its cut-over: nothing is frozen yet, so waiting costs the application nothing,
     * and one late heartbeat on a busy host does not abort a cutover a script scheduled.
     */
    private void precheck() throws Exception {
        List<String> problems = new ArrayList<>();
        if (pipeline.failure() != null) {
            problems.add("the pipeline failed: " + message(pipeline.failure()));
        }
        if (lifecycle.state() != PipelineState.STREAMING) {
            problems.add("the pipeline is " + lifecycle.state().label() + ", not streaming");
        }
        problems.addAll(cutover.precheck());
        if (reverse != null) {
            problems.addAll(reverse.precheck());
        }
        if (problems.isEmpty()) {
            awaitLagBelowMax().ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            throw new StepFailure(String.join("; ", problems));
        }
    }

    /** @return the problem when the lag stays at or above {@code promote.max-lag} for {@code promote.timeout} */
    private Optional<String> awaitLagBelowMax() throws InterruptedException {
        long maxLagMs = config.promote().maxLag().toMillis();
        long deadline = System.nanoTime() + config.promote().timeout().toNanos();
        double lag = pipeline.lag().lagSeconds();
        if (lag * 1000 >= maxLagMs) {
            LOG.info("promote: replication lag {} s is not below promote.max-lag; waiting up to promote.timeout",
                    String.format(Locale.ROOT, "%.3f", lag));
        }
        while (lag * 1000 >= maxLagMs) {
            if (pipeline.failure() != null || System.nanoTime() > deadline) {
                return Optional.of(String.format(Locale.ROOT,
                        "replication lag %.3f s is not below promote.max-lag %.3f s after promote.timeout %d s",
                        lag, maxLagMs / 1000.0, config.promote().timeout().toSeconds()));
            }
            Thread.sleep(POLL_MS);
            lag = pipeline.lag().lagSeconds();
        }
        return Optional.empty();
    }

    private void awaitFence(String fence, LocalDateTime at) throws Exception {
        long deadline = System.nanoTime() + config.promote().timeout().toNanos();
        while (!fenceApplied(fence, at)) {
            if (pipeline.failure() != null) {
                throw new StepFailure("the stream failed while catching up: " + message(pipeline.failure()));
            }
            if (System.nanoTime() > deadline) {
                throw new StepFailure("the target did not apply the fence within promote.timeout "
                        + config.promote().timeout().toSeconds() + " s");
            }
            Thread.sleep(POLL_MS);
        }
    }

    /** @throws StepFailure naming the target when it fails mid-query (a failed login names it already) */
    private boolean fenceApplied(String fence, LocalDateTime at) throws StepFailure {
        try {
            return cutover.fenceApplied(pipeline.heartbeatTable(), fence, at);
        } catch (SQLException e) {
            throw new StepFailure("target " + config.target().display() + " failed while catching up: " + message(e));
        }
    }

    /**
     * VERIFY_LIVE: a pass over every table while the source takes writes, unless a recent one holds
     * ({@link CutoverVerification#beforeFreeze}); a difference aborts before anything is frozen. The lag that grew
     * meanwhile is waited out again, as in PRECHECK.
     */
    private void verifyLive(boolean dryRun, List<String> warnings) throws Exception {
        List<String> differences = verification.beforeFreeze();
        if (!differences.isEmpty()) {
            if (!dryRun) {
                String found = "verification found differences while streaming (nothing was frozen): ";
                throw new StepFailure(found + String.join("; ", differences), found + withoutKeys(differences));
            }
            warnings.add("verification found differences while streaming: " + String.join("; ", differences));
        }
        Optional<String> lag = awaitLagBelowMax();
        if (lag.isPresent()) {
            throw new StepFailure(lag.get());
        }
    }

    private void verify(boolean dryRun, List<String> warnings) throws Exception {
        List<String> differences = switch (config.promote().verify()) {
            case NONE -> List.of();
            case COUNTS -> cutover.countDifferences(pipeline.tables());
            case CHECKSUM -> verification.whole(pipeline.tables());
            case EXACT -> verification.frozen();
        };
        if (differences.isEmpty()) {
            return;
        }
        if (dryRun) {
            warnings.add("tables differ while the source takes writes (a real promote compares them frozen): "
                    + String.join("; ", differences));
            return;
        }
        throw new StepFailure("verification found differences: " + String.join("; ", differences),
                "verification found differences: " + withoutKeys(differences));
    }

    /** @return the lines of {@link CutoverVerification} without their key lists, for the log */
    private static String withoutKeys(List<String> differences) {
        return String.join("; ", differences.stream().map(CutoverVerification::withoutKeys).toList())
                + "; the promote report names the rows";
    }

    /**
     * After OPEN_TARGET failed: reads, on new connections, whether the target opened, retrying for up to
     * {@code promote.timeout}.
     *
     * @return whether the target is open, or {@code null} when that cannot be learnt in time
     */
    private Boolean targetOpenAfter(Exception failure) {
        long deadline = System.nanoTime() + config.promote().timeout().toNanos();
        LOG.warn("promote: OPEN_TARGET failed ({}); reading whether the target opened", message(failure));
        while (true) {
            try {
                return cutover.targetOpen();
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    return null;
                }
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    private PromoteReport abort(Run run, Exception cause, boolean frozen, String previousReadOnly, Instant frozenAt, boolean dryRun) {
        String error = run.state + ": " + message(cause);
        String logged = cause instanceof StepFailure f ? f.logged : message(cause);
        List<String> warnings = new ArrayList<>();
        if (reversePrepared) {
            reverse.discard();
        }
        boolean writable = !frozen;
        if (frozen) {
            try {
                cutover.unfreezeSource(previousReadOnly);
                writable = true;
            } catch (Exception e) {
                warnings.add("could not return the source to writable: " + message(e) + "; " + cutover.unfreezeHint());
            }
            try {
                withTarget(store::clear);
            } catch (Exception e) {
                // harmless: the next daemon start finds the stale freeze record and restores the same setting
                warnings.add("could not clear the freeze record in " + PromotionStore.TABLE + " on the target: " + message(e));
            }
        }
        if (lifecycle.state() == PipelineState.PROMOTING) {
            pipeline.pauseHeartbeat(false);
            lifecycle.enter(pipeline.failure() == null ? PipelineState.STREAMING : PipelineState.FAILED);
        }
        if (!dryRun) {
            metrics.error("promote", run.state + ": " + logged);
        }
        LOG.warn("promote aborted in {}: {}; {}", run.state, logged,
                writable ? "the source is writable" : "the source is STILL FROZEN: " + cutover.unfreezeHint());
        Long downtime = frozenAt == null ? null : java.time.Duration.between(frozenAt, Instant.now()).toMillis();
        return new PromoteReport(config.pipeline(), "aborted", run.state, run.steps, downtime, null,
                frozenAt, null, null, null, error, warnings.isEmpty() ? null : warnings);
    }

    private Optional<PromotionStore.Promotion> loadPromotion() {
        try (Connection c = Connections.open(config.target(), config.promote().timeout())) {
            return store.load(c);
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    @FunctionalInterface
    private interface TargetWork {
        void run(Connection c) throws SQLException;
    }

    private void withTarget(TargetWork work) throws SQLException {
        try (Connection c = Connections.open(config.target(), config.promote().timeout())) {
            work.run(c);
        }
    }

    private static String message(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
