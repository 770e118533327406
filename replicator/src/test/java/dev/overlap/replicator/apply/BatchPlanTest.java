package dev.overlap.replicator.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.replicator.stream.RowChange;
import dev.overlap.replicator.stream.RowChange.Op;
import dev.overlap.replicator.stream.TableId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchPlanTest {
    private static final TableId ORDERS = new TableId("public", "orders");
    private static final TableId LOG = new TableId("public", "log");

    private static RowChange keyed(Op op, Object... columnValues) {
        return new RowChange(ORDERS, op, List.of("id"), row(columnValues), null, 0);
    }

    private static Map<String, Object> row(Object... columnValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < columnValues.length; i += 2) {
            row.put((String) columnValues[i], columnValues[i + 1]);
        }
        return row;
    }

    @Test
    void lastChangeToAKeyWinsInOrderOfLastChange() {
        BatchPlan plan = BatchPlan.of(List.of(
                keyed(Op.CREATE, "id", 1, "status", "new"),
                keyed(Op.CREATE, "id", 2, "status", "new"),
                keyed(Op.UPDATE, "id", 1, "status", "paid"),
                keyed(Op.DELETE, "id", 2),
                keyed(Op.CREATE, "id", 3, "status", "new")));

        BatchPlan.TablePlan table = plan.tables().iterator().next();
        assertThat(table.deletes()).extracting(c -> c.row().get("id")).containsExactly(2);
        assertThat(table.upsertsByColumns()).singleElement().satisfies(rows ->
                assertThat(rows).extracting(c -> c.row().get("id") + ":" + c.row().get("status")).containsExactly("1:paid", "3:new"));
        assertThat(table.events[Op.CREATE.ordinal()]).isEqualTo(3);
        assertThat(table.events[Op.UPDATE.ordinal()]).isEqualTo(1);
        assertThat(table.events[Op.DELETE.ordinal()]).isEqualTo(1);
    }

    @Test
    void deleteThenReinsertOfAKeyIsAnUpsert() {
        BatchPlan plan = BatchPlan.of(List.of(keyed(Op.DELETE, "id", 7), keyed(Op.CREATE, "id", 7, "status", "again")));

        BatchPlan.TablePlan table = plan.tables().iterator().next();
        assertThat(table.deletes()).isEmpty();
        assertThat(table.upsertsByColumns()).singleElement().satisfies(rows -> assertThat(rows).hasSize(1));
    }

    @Test
    void unavailableToastColumnTakesTheValueOfTheEarlierChangeInTheBatch() {
        BatchPlan plan = BatchPlan.of(List.of(
                keyed(Op.CREATE, "id", 1, "body", "long text", "n", 0),
                keyed(Op.UPDATE, "id", 1, "body", RowChange.UNAVAILABLE, "n", 1)));

        RowChange merged = plan.tables().iterator().next().upsertsByColumns().iterator().next().get(0);
        assertThat(merged.row()).containsEntry("body", "long text").containsEntry("n", 1);
    }

    @Test
    void unavailableToastColumnWithNothingEarlierIsLeftOutOfTheUpsert() {
        BatchPlan plan = BatchPlan.of(List.of(
                keyed(Op.UPDATE, "id", 1, "body", RowChange.UNAVAILABLE, "n", 1),
                keyed(Op.UPDATE, "id", 2, "body", "x", "n", 2)));

        assertThat(plan.tables().iterator().next().upsertsByColumns())
                .extracting(rows -> BatchPlan.availableColumns(rows.get(0)))
                .containsExactly(List.of("id", "n"), List.of("id", "body", "n"));
    }

    @Test
    void keylessChangesStayInOrderAndTruncateDropsWhatCameBefore() {
        RowChange insert = new RowChange(LOG, Op.CREATE, List.of(), row("line", "a"), null, 0);
        RowChange truncate = new RowChange(LOG, Op.TRUNCATE, List.of(), Map.of(), null, 0);
        RowChange again = new RowChange(LOG, Op.CREATE, List.of(), row("line", "a"), null, 0);

        BatchPlan.TablePlan table = BatchPlan.of(List.of(insert, insert, truncate, again, again)).tables().iterator().next();

        assertThat(table.truncate).isTrue();
        assertThat(table.inOrder).containsExactly(again, again);
    }

    @Test
    void binaryKeysCoalesceByContent() {
        BatchPlan plan = BatchPlan.of(List.of(
                keyed(Op.CREATE, "id", new byte[] {1, 2}, "v", 1),
                keyed(Op.UPDATE, "id", new byte[] {1, 2}, "v", 2)));

        assertThat(plan.tables().iterator().next().upsertsByColumns()).singleElement()
                .satisfies(rows -> assertThat(rows).singleElement().satisfies(c -> assertThat(c.row()).containsEntry("v", 2)));
    }
}
