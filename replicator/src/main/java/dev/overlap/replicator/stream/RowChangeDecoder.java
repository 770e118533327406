package dev.overlap.replicator.stream;

import dev.overlap.replicator.catalog.TableId;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns Debezium's change-event envelope ({@code before}, {@code after}, {@code source}, {@code op})
 * into {@link RowChange}s. Column conversions are planned once per schema and cached by identity, as
 * Debezium reuses one schema object per table version. Not thread-safe: one decoder per stream.
 */
public final class RowChangeDecoder {
    /** The header of the delete that opens a key change, holding the new key (Debezium's {@code __debezium.newkey}). */
    static final String NEW_KEY_HEADER = "__debezium.newkey";
    private final Map<Schema, Plan> plans = new IdentityHashMap<>();
    private final Map<Schema, List<String>> keyColumns = new IdentityHashMap<>();

    private record Plan(String[] names, UnaryOperator<Object>[] converters) {
        Map<String, Object> convert(Struct struct) {
            Map<String, Object> row = new LinkedHashMap<>(names.length * 2);
            for (int i = 0; i < names.length; i++) {
                row.put(names[i], converters[i].apply(struct.get(names[i])));
            }
            return row;
        }
    }

    /**
     * @param record one record from the engine
     * @return the row change, or {@code null} for a record that is not one (heartbeat, tombstone)
     */
    public RowChange decode(SourceRecord record) {
        if (!(record.value() instanceof Struct value) || value.schema().field("op") == null) {
            return null;
        }
        RowChange.Op op = RowChange.Op.of(value.getString("op"));
        Struct source = value.getStruct("source");
        String schema = source.schema().field("schema") != null ? source.getString("schema") : source.getString("db");
        TableId table = new TableId(schema, source.getString("table"));
        long tsMs = source.getInt64("ts_ms");
        List<String> keys = record.keySchema() == null ? List.of()
                : keyColumns.computeIfAbsent(record.keySchema(), s -> s.fields().stream().map(Field::name).toList());

        Struct after = value.getStruct("after");
        Struct before = value.getStruct("before");
        return switch (op) {
            case TRUNCATE -> new RowChange(table, op, keys, Map.of(), null, tsMs);
            case DELETE -> new RowChange(table, op, keys, convert(before), null, tsMs, newKey(record));
            default -> new RowChange(table, op, keys, convert(after), before == null ? null : convert(before), tsMs);
        };
    }

    /**
     * @return the new key of a key change, from the header Debezium puts on the delete of the old key
     *         ({@code RelationalChangeRecordEmitter.PK_UPDATE_NEWKEY_FIELD}), or {@code null}
     */
    private Map<String, Object> newKey(SourceRecord record) {
        Header header = record.headers().lastWithName(NEW_KEY_HEADER);
        return header != null && header.value() instanceof Struct key ? convert(key) : null;
    }

    private Map<String, Object> convert(Struct struct) {
        return plans.computeIfAbsent(struct.schema(), RowChangeDecoder::plan).convert(struct);
    }

    @SuppressWarnings("unchecked")
    private static Plan plan(Schema schema) {
        List<Field> fields = schema.fields();
        String[] names = new String[fields.size()];
        UnaryOperator<Object>[] converters = new UnaryOperator[fields.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = fields.get(i).name();
            converters[i] = ValueConverter.forSchema(fields.get(i).schema());
        }
        return new Plan(names, converters);
    }
}
