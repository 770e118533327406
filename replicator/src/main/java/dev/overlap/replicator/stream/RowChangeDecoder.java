package dev.overlap.replicator.stream;

import dev.overlap.replicator.catalog.TableId;
import java.util.ArrayList;
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
     * @param record one record from the engine
     * @return the DDL statement it carries: a MySQL/MariaDB schema change event ({@code ddl},
     *         {@code databaseName}, {@code tableChanges}) of the binlog, not of the connector's schema snapshot, or a row inserted into PostgreSQL's capture table
     *         {@value SchemaChange#CAPTURE_TABLE}; {@code null} for any other record
     */
    public SchemaChange schemaChange(SourceRecord record) {
        if (!(record.value() instanceof Struct value)) {
            return null;
        }
        if (value.schema().field("ddl") != null && value.schema().field("op") == null) {
            if (inSnapshot(value.getStruct("source"))) {
                return null;
            }
            List<TableId> tables = new ArrayList<>();
            List<Object> changes = value.schema().field("tableChanges") == null ? null : value.getArray("tableChanges");
            for (Object change : changes == null ? List.of() : changes) {
                tables.add(binlogTableId(((Struct) change).getString("id")));
            }
            return new SchemaChange(null, value.getString("ddl"), value.getString("databaseName"), List.copyOf(tables),
                    value.getStruct("source").getInt64("ts_ms"));
        }
        if (value.schema().field("op") == null || !"c".equals(value.getString("op"))
                || !SchemaChange.CAPTURE_TABLE.equals(value.getStruct("source").getString("table"))) {
            return null;
        }
        Struct after = value.getStruct("after");
        List<Object> schemas = after.getArray("schemas");
        List<Object> names = after.getArray("names");
        List<TableId> tables = new ArrayList<>();
        for (int i = 0; i < schemas.size(); i++) {
            tables.add(new TableId((String) schemas.get(i), (String) names.get(i)));
        }
        return new SchemaChange(after.getString("pipeline"), after.getString("ddl"), after.getString("search_path"),
                List.copyOf(tables), value.getStruct("source").getInt64("ts_ms"));
    }

    /**
     * @return whether the event comes from the connector's schema snapshot ({@code source.snapshot} other than
     *         {@code false}): the DROP and CREATE of each table it emits when it rebuilds its schema history describe
     *         the source's tables as they are, and must never run on the target
     */
    private static boolean inSnapshot(Struct source) {
        Object snapshot = source.schema().field("snapshot") == null ? null : source.get("snapshot");
        return snapshot != null && !"false".equals(snapshot.toString());
    }

    /** @return the table of Debezium's {@code "database"."table"} identifier ({@code TableId.toDoubleQuotedString}) */
    static TableId binlogTableId(String id) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == '"' && quoted && i + 1 < id.length() && id.charAt(i + 1) == '"') {
                part.append('"');
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '.' && !quoted) {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString());
        return new TableId(parts.get(0), parts.get(parts.size() - 1));
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
