package dev.overlap.replicator.lifecycle;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The life-cycle state of one pipeline: owned by the pipeline, changed by it and by the cutover, and
 * observed by whoever reports it (the metrics gauge, {@code /health}, {@code /status}). Thread-safe.
 */
public final class Lifecycle {
    private final AtomicReference<PipelineState> state = new AtomicReference<>(PipelineState.STARTING);
    private final List<Consumer<PipelineState>> observers = new CopyOnWriteArrayList<>();

    /** @return the current state */
    public PipelineState state() {
        return state.get();
    }

    /**
     * Enters a state and tells every observer, on the caller's thread.
     *
     * @param next the state the pipeline is now in
     */
    public void enter(PipelineState next) {
        state.set(next);
        observers.forEach(observer -> observer.accept(next));
    }

    /** @param observer called with every state entered from now on */
    public void observe(Consumer<PipelineState> observer) {
        observers.add(observer);
    }
}
