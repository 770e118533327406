package dev.overlap.replicator.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.catalog.TargetColumn;
import java.util.List;
import org.junit.jupiter.api.Test;

class MySqlDialectTest {
    private final MySqlDialect mysql = new MySqlDialect(true);
    private final MySqlDialect mariadb = new MySqlDialect(false);

    @Test
    void mySqlUpsertUsesTheRowAliasBehindTheKeyGuard() {
        assertThat(mysql.upsert("`t`", List.of("id", "a", "b"), List.of("id"), List.of("a", "b"), 2)).isEqualTo(
                "INSERT INTO `t` (`id`, `a`, `b`) VALUES (?, ?, ?), (?, ?, ?) AS overlap_new"
                        + " ON DUPLICATE KEY UPDATE `id` = IF(`t`.`id` <=> overlap_new.`id`, `t`.`id`, NULL),"
                        + " `a` = overlap_new.`a`, `b` = overlap_new.`b`");
    }

    @Test
    void mariaDbUpsertUsesTheValuesFunctionBehindTheKeyGuard() {
        assertThat(mariadb.upsert("`t`", List.of("id", "a"), List.of("id"), List.of("a"), 1)).isEqualTo(
                "INSERT INTO `t` (`id`, `a`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `id` = IF(`t`.`id` <=> VALUES(`id`), `t`.`id`, NULL),"
                        + " `a` = VALUES(`a`)");
    }

    @Test
    void upsertOfKeyOnlyTableOnlyGuardsTheKey() {
        assertThat(mariadb.upsert("`t`", List.of("a", "b"), List.of("a", "b"), List.of(), 1))
                .endsWith("ON DUPLICATE KEY UPDATE `a` = IF(`t`.`a` <=> VALUES(`a`) AND `t`.`b` <=> VALUES(`b`), `t`.`a`, NULL)");
    }

    @Test
    void keyMoveUpdatesTheKeyInPlace() {
        assertThat(mysql.moveKey("`t`", List.of("a", "b"))).isEqualTo("UPDATE `t` SET `a` = ?, `b` = ? WHERE `a` = ? AND `b` = ?");
    }

    @Test
    void deletesByKeyAndTablesWithoutTheirDatabase() {
        assertThat(mysql.deleteByKey("`t`", List.of("a", "b"), 2)).isEqualTo("DELETE FROM `t` WHERE (`a`, `b`) IN ((?, ?), (?, ?))");
        assertThat(mysql.table(new TableId("shop", "order`s"))).isEqualTo("`order``s`");
    }

    @Test
    void keylessChangesTouchOneRowMatchedNullSafely() {
        List<TargetColumn> where = List.of(new TargetColumn("v", "INT", false, false, false), new TargetColumn("doc", "JSON", false, false, false));
        assertThat(mysql.updateOneRow("`t`", List.of("v"), where))
                .isEqualTo("UPDATE `t` SET `v` = ? WHERE `v` <=> ? AND `doc` <=> CAST(? AS JSON) LIMIT 1");
        assertThat(mariadb.deleteOneRow("`t`", where)).isEqualTo("DELETE FROM `t` WHERE `v` <=> ? AND `doc` <=> ? LIMIT 1");
    }

    @Test
    void applySessionDisablesForeignKeyChecksInUtc() {
        assertThat(mysql.applySessionSql()).contains("foreign_key_checks = 0").contains("time_zone = '+00:00'")
                .contains("NO_AUTO_VALUE_ON_ZERO");
    }
}
