package dev.overlap.replicator.stream;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source side of the pipeline: runs the Debezium embedded engine and hands each of its batches,
 * decoded into a {@link ChangeBatch}, to a {@link BatchHandler}. A batch's records are marked
 * processed only after the handler returned, that is after the target committed them, so the
 * engine (and the PostgreSQL slot) never confirm a position the target does not hold. A batch is cut at
 * each DDL statement ({@link SchemaChange}): the rows before it, the statement alone (with the statements
 * right after it that carry the same position: parts of one source statement), then the rows after it,
 * each handed over with the position after its last record.
 */
public final class ChangeStream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeStream.class);

    /** Receives batches in source order, one at a time, on the engine's thread. */
    @FunctionalInterface
    public interface BatchHandler {
        /**
         * @param batch the decoded batch
         * @throws InterruptedException when the pipeline is stopping
         * @throws RuntimeException to stop the stream with that failure; the batch is not confirmed
         */
        void handle(ChangeBatch batch) throws InterruptedException;
    }

    private final DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "overlap-engine"));
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /**
     * @param engineProperties Debezium engine and connector properties ({@link EngineProperties})
     * @param handler where batches go
     */
    public ChangeStream(Properties engineProperties, BatchHandler handler) {
        RowChangeDecoder decoder = new RowChangeDecoder();
        this.engine = DebeziumEngine.create(Connect.class)
                .using(engineProperties)
                .notifying((records, committer) -> {
                    List<RowChange> changes = new ArrayList<>(records.size());
                    List<SchemaChange> statements = new ArrayList<>();
                    SourceRecord last = null;
                    int held = 0;
                    for (ChangeEvent<SourceRecord, SourceRecord> event : records) {
                        SourceRecord record = event.value();
                        SchemaChange ddl = decoder.schemaChange(record);
                        boolean sameStatement = ddl != null && !statements.isEmpty() && record.sourceOffset().equals(last.sourceOffset());
                        if (held > 0 && (ddl != null && !sameStatement || ddl == null && !statements.isEmpty())) {
                            handler.handle(new ChangeBatch(List.copyOf(changes), last.sourcePartition(), last.sourceOffset(), held,
                                    List.copyOf(statements)));
                            changes.clear();
                            statements.clear();
                            held = 0;
                        }
                        if (ddl != null) {
                            statements.add(ddl);
                        } else {
                            RowChange change = decoder.decode(record);
                            if (change != null) {
                                changes.add(change);
                            }
                        }
                        last = record;
                        held++;
                    }
                    if (held > 0) {
                        handler.handle(new ChangeBatch(changes, last.sourcePartition(), last.sourceOffset(), held, List.copyOf(statements)));
                    }
                    for (ChangeEvent<SourceRecord, SourceRecord> event : records) {
                        committer.markProcessed(event);
                    }
                    committer.markBatchFinished();
                })
                .using((success, message, error) -> {
                    if (!success) {
                        failure.compareAndSet(null, error != null ? error : new IllegalStateException(message));
                    }
                    stopped.countDown();
                })
                .build();
    }

    /** Starts the engine on its own thread. */
    public void start() {
        executor.execute(engine);
    }

    /**
     * Waits until the stream stops.
     *
     * @param timeoutMs how long to wait, ms
     * @return whether it stopped within that time
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean await(long timeoutMs) throws InterruptedException {
        return stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** @return the failure that stopped the stream, or {@code null} when it stopped cleanly or still runs */
    public Throwable failure() {
        return failure.get();
    }

    /**
     * Stops the stream with a failure of Overlap's own finding (its connection taken for dead): {@link #failure()}
     * reports it, and the batch in hand finishes or rolls back whole as on {@link #close()}.
     *
     * @param cause why the stream stops
     */
    public void abort(Throwable cause) {
        failure.compareAndSet(null, cause);
        close();
    }

    /**
     * Stops the engine: the batch in hand finishes (its transaction commits or rolls back whole), then
     * the engine stops.
     */
    @Override
    public void close() {
        try {
            engine.close();
        } catch (IOException | RuntimeException e) {
            // The engine throws when it has already failed; that failure is reported by failure().
            LOG.debug("closing the Debezium engine: {}", e.toString());
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("the Debezium engine did not stop within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
