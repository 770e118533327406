package dev.overlap.replicator.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.stream.ChangeBatch;
import dev.overlap.replicator.stream.SchemaChange;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IndexStatementTest {
    private static List<TableId> tables(String ddl) {
        ChangeBatch batch = new ChangeBatch(List.of(), Map.of(), Map.of(), 1, List.of(new SchemaChange(null, ddl, "shop", List.of(), 0)));
        return IndexStatement.withTable(batch).schemaChanges().get(0).tables();
    }

    @Test
    void indexStatementsNameTheirTable() {
        assertThat(tables("CREATE INDEX users_nickname_idx ON users (nickname)")).containsExactly(new TableId("shop", "users"));
        assertThat(tables("create unique index `a``b` using btree on `other`.`my table` (x)"))
                .containsExactly(new TableId("other", "my table"));
        assertThat(tables("  DROP INDEX IF EXISTS idx ON orders")).containsExactly(new TableId("shop", "orders"));
        assertThat(tables("CREATE OR REPLACE FULLTEXT INDEX ft ON posts (body)")).containsExactly(new TableId("shop", "posts"));
    }

    @Test
    void otherStatementsStayWithoutTables() {
        assertThat(tables("CREATE TRIGGER t AFTER INSERT ON users FOR EACH ROW SET @x = 1")).isEmpty();
        assertThat(tables("CREATE DATABASE other")).isEmpty();
    }
}
