package dev.overlap.replicator.cli;

import dev.overlap.lag.PipelineMetrics;
import dev.overlap.replicator.apply.ApplyException;
import dev.overlap.replicator.config.ConfigLoader;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.copy.InitialCopy;
import dev.overlap.replicator.lifecycle.PipelineState;
import dev.overlap.replicator.pipeline.Direction;
import dev.overlap.replicator.pipeline.Pipeline;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code overlap run}: the daemon. Streams until SIGTERM or SIGINT, which let the batch in hand finish
 * and exit 0; exits 1 when the stream fails, 2 on a configuration or preflight problem. After a promote (served on
 * {@code POST /promote}) made the target the master it exits 0, or with {@code promote.reverse} goes on as the reverse
 * direction ({@link Direction}), new host back to old, serving {@code POST /rollback}, whose success makes it replicate
 * forward again. A failure is recorded on
 * the target ({@link dev.overlap.replicator.offset.FailureStore}): the next start
 * waits a growing pause (5 s, doubling, at most 5 min) before it tries again, and says so.
 */
@Command(name = "run", description = "Replicate the source to the target until stopped (SIGTERM drains and exits 0).")
public final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
    /** After PROMOTED (or a promote aborted after it stopped the stream), how long the endpoint keeps serving so the
     *  promote call gets its answer, ms. */
    private static final long ANSWER_GRACE_MS = 2_000;

    @Option(names = "--config", required = true, description = "path of overlap.yml")
    private Path config;

    @Override
    public Integer call() throws InterruptedException {
        OverlapConfig cfg = new ConfigLoader().load(config);
        CountDownLatch stop = new CountDownLatch(1);
        OverlapConfig direction = Direction.decide(cfg);
        while (true) {
            Integer exit = run(direction, stop);
            if (exit != null) {
                return exit;
            }
            direction = direction.reverse() ? cfg : cfg.reversed();
            LOG.info("pipeline {}: {}", cfg.pipeline(), direction.reverse()
                    ? "the new host is the master; replicating its writes back to the old host until overlap rollback or finish"
                    : "rolled back: the old host is the master again; replicating forward to the new host");
        }
    }

    /**
     * Runs one direction until it stops.
     *
     * @return the exit code, or {@code null} when a promote with {@code promote.reverse} finished and the other direction
     *         runs next
     */
    private Integer run(OverlapConfig cfg, CountDownLatch stop) throws InterruptedException {
        PipelineMetrics metrics = new PipelineMetrics(cfg.overlapName(), cfg.reverse() ? "reverse" : "forward");
        try (Pipeline pipeline = new Pipeline(cfg, metrics)) {
            Signal.handle(new Signal("TERM"), s -> stop(stop, pipeline));
            Signal.handle(new Signal("INT"), s -> stop(stop, pipeline));
            Duration pause = pipeline.prepare();
            if (!pause.isZero()) {
                LOG.warn("the last {} start(s) of pipeline {} stopped: {}; trying again in {} s (SIGTERM stops the wait)",
                        pipeline.lastFailure().failures(), cfg.pipeline(), pipeline.lastFailure().error(), pause.toSeconds());
                if (stop.await(pause.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.info("pipeline {} stopped while waiting", cfg.pipeline());
                    return ExitCode.OK;
                }
            }
            try {
                pipeline.stream();
            } catch (InitialCopy.CopyStopped e) {
                LOG.info("pipeline {} stopped during the initial copy; the next start copies again", cfg.pipeline());
                return ExitCode.OK;
            }
            if (cfg.reverse()) {
                pipeline.admin("/rollback", pipeline.promoter()::handle);
                pipeline.admin("/promote", pipeline::promotedReport);
            } else {
                pipeline.admin("/promote", pipeline.promoter()::handle);
            }
            while (stop.getCount() > 0) {
                if (pipeline.await(200) && pipeline.lifecycle().state() != PipelineState.PROMOTING) {
                    break;
                }
            }
            if (pipeline.lifecycle().state() == PipelineState.PROMOTED) {
                Thread.sleep(ANSWER_GRACE_MS);
                if (cfg.promote().reverse()) {
                    return null;
                }
                LOG.info("pipeline {} promoted: the target is the master; the daemon stops", cfg.pipeline());
                return ExitCode.OK;
            }
            if (pipeline.failure() != null) {
                pipeline.lifecycle().enter(PipelineState.FAILED);
                ApplyException apply = applyFailure(pipeline.failure());
                if (apply != null) {
                    LOG.error("pipeline {} stopped: {}", cfg.pipeline(), apply.getMessage());
                } else {
                    LOG.error("pipeline {} stopped: {}", cfg.pipeline(), rootMessage(pipeline.failure()), pipeline.failure());
                }
                pipeline.recordFailure(apply != null ? apply.getMessage() : rootMessage(pipeline.failure()));
                return ExitCode.FAILURE;
            }
            if (pipeline.lifecycle().state() == PipelineState.FAILED) {
                // a promote aborted after it had stopped the stream: the next start streams on from the offset
                LOG.error("pipeline {} stopped: its stream was stopped for a cutover that was aborted; restart it to stream on",
                        cfg.pipeline());
                Thread.sleep(ANSWER_GRACE_MS);
                return ExitCode.FAILURE;
            }
            LOG.info("stopping pipeline {}: finishing the batch in hand", cfg.pipeline());
        }
        LOG.info("pipeline {} stopped", cfg.pipeline());
        return ExitCode.OK;
    }

    /** SIGTERM, SIGINT: the stream stops after the batch in hand, an initial copy at once. */
    private static void stop(CountDownLatch stop, Pipeline pipeline) {
        stop.countDown();
        pipeline.stopCopy();
    }

    /** @return the apply failure that stopped the stream (its message is the whole story), or {@code null} */
    private static ApplyException applyFailure(Throwable t) {
        for (Throwable cause = t; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ApplyException apply) {
                return apply;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (cause: " + cause.getMessage() + ")";
    }
}
