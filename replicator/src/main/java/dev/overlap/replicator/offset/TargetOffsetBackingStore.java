package dev.overlap.replicator.offset;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.OffsetBackingStore;
import org.apache.kafka.connect.util.Callback;

/**
 * Debezium's view of the offsets that {@link OffsetStore} keeps in the target.
 *
 * <p>The engine instantiates this class by name ({@code offset.storage}), so the pipeline hands it
 * the offset read from the target through {@link #register}, keyed by the engine property
 * {@value #PIPELINE_PROPERTY}. Writes from the engine ({@link #set}) only update memory: the durable
 * copy was already written by the Applier, in the same transaction as the rows. Keys and values are
 * the JSON the engine's schemaless {@code JsonConverter} writes: a key is {@code [engine name, partition]},
 * a value the offset map.
 */
public final class TargetOffsetBackingStore implements OffsetBackingStore {
    /** Engine property naming the pipeline whose registered offset this store serves. */
    public static final String PIPELINE_PROPERTY = "offset.storage.overlap.pipeline";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Map<Map<String, Object>, byte[]>> REGISTERED = new ConcurrentHashMap<>();

    private final Map<Map<String, Object>, byte[]> offsets = new HashMap<>();
    private String pipeline;

    /**
     * Hands the offset read from the target to the store of the engine about to start.
     *
     * @param pipeline the pipeline name, also given to the engine as {@value #PIPELINE_PROPERTY}
     * @param stored the stored offset, or {@code null} for a new pipeline
     */
    public static void register(String pipeline, StoredOffset stored) {
        Map<Map<String, Object>, byte[]> offsets = new HashMap<>();
        if (stored != null) {
            offsets.put(stored.partition(), write(stored.offset()));
        }
        REGISTERED.put(pipeline, offsets);
    }

    @Override
    public void configure(WorkerConfig config) {
        pipeline = config.originalsStrings().get(PIPELINE_PROPERTY);
    }

    @Override
    public synchronized void start() {
        Map<Map<String, Object>, byte[]> registered = REGISTERED.get(pipeline);
        if (registered == null) {
            throw new IllegalStateException("no offset registered for pipeline " + pipeline);
        }
        offsets.putAll(registered);
    }

    @Override
    public void stop() {
        REGISTERED.remove(pipeline);
    }

    @Override
    public synchronized Future<Map<ByteBuffer, ByteBuffer>> get(Collection<ByteBuffer> keys) {
        Map<ByteBuffer, ByteBuffer> result = new HashMap<>();
        for (ByteBuffer key : keys) {
            byte[] value = offsets.get(partition(key));
            result.put(key, value == null ? null : ByteBuffer.wrap(value));
        }
        return CompletableFuture.completedFuture(result);
    }

    @Override
    public synchronized Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
        values.forEach((key, value) -> {
            if (key != null && value != null) {
                offsets.put(partition(key), bytes(value));
            }
        });
        if (callback != null) {
            callback.onCompletion(null, null);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.copyOf(offsets.keySet());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> partition(ByteBuffer key) {
        try {
            List<Object> parts = JSON.readValue(bytes(key), new TypeReference<List<Object>>() {
            });
            return (Map<String, Object>) parts.get(1);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable offset key from the engine", e);
        }
    }

    private static byte[] write(Map<String, Object> offset) {
        try {
            return JSON.writeValueAsBytes(offset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
