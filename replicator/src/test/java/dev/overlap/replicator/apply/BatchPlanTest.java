package dev.overlap.replicator.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.stream.RowChange;
import dev.overlap.replicator.stream.RowChange.Op;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchPlanTest {
    private static final TableId ORDERS = new TableId("public", "orders");
    private static final TableId LOG = new TableId("public", "log");

    /** Users with a unique e-mail besides the key. */
    private static final CollisionRules EMAIL = new CollisionRules(List.of(Set.of("email")), false);

    private static BatchPlan.TablePlan plan(CollisionRules rules, RowChange... changes) {
        return BatchPlan.of(List.of(changes), c -> rules, false).tables().iterator().next();
    }

    /** @return each step as text: its kind and the id:column values of its rows */
    private static List<String> steps(BatchPlan.TablePlan table) {
        return table.steps.stream().map(step -> {
            if (step instanceof BatchPlan.Upserts u) {
                return "upsert " + u.rows().stream().map(BatchPlanTest::text).toList();
            } else if (step instanceof BatchPlan.Deletes d) {
                return "delete " + d.rows().stream().map(c -> c.row().get("id")).toList();
            } else if (step instanceof BatchPlan.KeyMove m) {
                return "move " + m.delete().row().get("id") + "->" + m.delete().newKey().get("id");
            } else if (step instanceof BatchPlan.InOrder o) {
                return "in order " + o.changes().size();
            }
            return "truncate";
        }).toList();
    }

    private static String text(RowChange change) {
        StringBuilder sb = new StringBuilder();
        change.row().forEach((column, value) -> {
            if (value != RowChange.UNAVAILABLE) {
                sb.append(sb.length() == 0 ? "" : ":").append(value);
            }
        });
        return sb.toString();
    }

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
    void onlyTheKeyUniqueLastChangeWinsDeletesFirst() {
        BatchPlan.TablePlan table = plan(CollisionRules.NONE,
                keyed(Op.CREATE, "id", 1, "status", "new"),
                keyed(Op.CREATE, "id", 2, "status", "new"),
                keyed(Op.UPDATE, "id", 1, "status", "paid"),
                keyed(Op.DELETE, "id", 2),
                keyed(Op.CREATE, "id", 3, "status", "new"));

        assertThat(steps(table)).containsExactly("delete [2]", "upsert [1:paid, 3:new]");
        assertThat(table.events[Op.CREATE.ordinal()]).isEqualTo(3);
        assertThat(table.events[Op.UPDATE.ordinal()]).isEqualTo(1);
        assertThat(table.events[Op.DELETE.ordinal()]).isEqualTo(1);
    }

    @Test
    void deleteThenReinsertOfAKeyIsAnUpsert() {
        BatchPlan.TablePlan table = plan(CollisionRules.NONE, keyed(Op.DELETE, "id", 7), keyed(Op.CREATE, "id", 7, "status", "again"));

        assertThat(steps(table)).containsExactly("upsert [7:again]");
    }

    @Test
    void aUniqueValueFreedAndTakenKeepsTheSourceOrder() {
        // the transaction: row 1 frees 'a', row 2 takes it, row 1 changes again (its e-mail unchanged)
        BatchPlan.TablePlan table = plan(EMAIL,
                keyed(Op.UPDATE, "id", 1, "email", "b", "name", "one"),
                keyed(Op.CREATE, "id", 2, "email", "a", "name", "two"),
                keyed(Op.UPDATE, "id", 1, "email", "b", "name", "uno"));

        assertThat(steps(table)).containsExactly("upsert [1:b:uno, 2:a:two]");
    }

    @Test
    void aSwapThroughATemporaryValueIsNeverCoalesced() {
        BatchPlan.TablePlan table = plan(EMAIL,
                keyed(Op.UPDATE, "id", 1, "email", "tmp"),
                keyed(Op.UPDATE, "id", 2, "email", "a"),
                keyed(Op.UPDATE, "id", 1, "email", "b"));

        assertThat(steps(table)).containsExactly("upsert [1:tmp, 2:a]", "upsert [1:b]");
    }

    @Test
    void withAUniqueIndexDeletesStayInPlace() {
        BatchPlan.TablePlan table = plan(EMAIL,
                keyed(Op.CREATE, "id", 3, "email", "c"),
                keyed(Op.DELETE, "id", 1),
                keyed(Op.DELETE, "id", 2),
                keyed(Op.CREATE, "id", 4, "email", "a"));

        assertThat(steps(table)).containsExactly("upsert [3:c]", "delete [1, 2]", "upsert [4:a]");
    }

    @Test
    void opaqueRulesNeverCoalesce() {
        BatchPlan.TablePlan table = plan(CollisionRules.ANY,
                keyed(Op.UPDATE, "id", 1, "n", 1),
                keyed(Op.UPDATE, "id", 1, "n", 2));

        assertThat(steps(table)).containsExactly("upsert [1:1]", "upsert [1:2]");
    }

    @Test
    void aKeyChangeMovesTheRowBetweenWhatCameBeforeAndAfter() {
        Map<String, Object> newKey = row("id", 9);
        RowChange delete = new RowChange(ORDERS, Op.DELETE, List.of("id"), row("id", 1), null, 0, newKey);
        BatchPlan.TablePlan table = plan(CollisionRules.NONE,
                keyed(Op.UPDATE, "id", 1, "status", "paid"),
                delete,
                keyed(Op.CREATE, "id", 9, "status", RowChange.UNAVAILABLE));

        assertThat(steps(table)).containsExactly("upsert [1:paid]", "move 1->9", "upsert [9]");
        assertThat(BatchPlan.availableColumns(((BatchPlan.Upserts) table.steps.get(2)).rows().get(0))).containsExactly("id");
    }

    @Test
    void unavailableToastColumnTakesTheValueOfTheEarlierChangeInTheBatch() {
        BatchPlan.TablePlan table = plan(CollisionRules.NONE,
                keyed(Op.CREATE, "id", 1, "body", "long text", "n", 0),
                keyed(Op.UPDATE, "id", 1, "body", RowChange.UNAVAILABLE, "n", 1));

        assertThat(steps(table)).containsExactly("upsert [1:long text:1]");
    }

    @Test
    void unavailableToastColumnWithNothingEarlierIsLeftOutOfTheUpsert() {
        BatchPlan.TablePlan table = plan(CollisionRules.NONE,
                keyed(Op.UPDATE, "id", 1, "body", RowChange.UNAVAILABLE, "n", 1),
                keyed(Op.UPDATE, "id", 2, "body", "x", "n", 2));

        assertThat(table.steps).extracting(step -> BatchPlan.availableColumns(((BatchPlan.Upserts) step).rows().get(0)))
                .containsExactly(List.of("id", "n"), List.of("id", "body", "n"));
    }

    @Test
    void keylessChangesStayInOrderAndTruncateDropsWhatCameBefore() {
        RowChange insert = new RowChange(LOG, Op.CREATE, List.of(), row("line", "a"), null, 0);
        RowChange truncate = new RowChange(LOG, Op.TRUNCATE, List.of(), Map.of(), null, 0);
        RowChange again = new RowChange(LOG, Op.CREATE, List.of(), row("line", "a"), null, 0);

        BatchPlan.TablePlan table = plan(CollisionRules.NONE, insert, insert, truncate, again, again);

        assertThat(steps(table)).containsExactly("truncate", "in order 2");
        assertThat(((BatchPlan.InOrder) table.steps.get(1)).changes()).containsExactly(again, again);
    }

    @Test
    void binaryKeysCoalesceByContent() {
        BatchPlan.TablePlan table = plan(CollisionRules.NONE,
                keyed(Op.CREATE, "id", new byte[] {1, 2}, "v", 1),
                keyed(Op.UPDATE, "id", new byte[] {1, 2}, "v", 2));

        assertThat(table.steps).singleElement().satisfies(step ->
                assertThat(((BatchPlan.Upserts) step).rows()).singleElement().satisfies(c -> assertThat(c.row()).containsEntry("v", 2)));
    }

    @Test
    void whenTheTargetCascadesTheOrderBetweenTablesHolds() {
        RowChange order = keyed(Op.DELETE, "id", 1);
        RowChange line = new RowChange(LOG, Op.CREATE, List.of("id"), row("id", 5), null, 0);
        RowChange again = keyed(Op.CREATE, "id", 2, "status", "new");

        assertThat(BatchPlan.of(List.of(order, line, again), c -> CollisionRules.ANY, true).tables())
                .extracting(t -> t.table.table()).containsExactly("orders", "log", "orders");
        assertThat(BatchPlan.of(List.of(order, line, again), c -> CollisionRules.ANY, false).tables())
                .extracting(t -> t.table.table()).containsExactly("orders", "log");
    }
}
