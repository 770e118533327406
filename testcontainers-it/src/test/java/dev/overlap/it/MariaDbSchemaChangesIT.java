package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.replicator.pipeline.Pipeline;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link SchemaChangesCheck} on MariaDB 11.4 → MariaDB 11.4, and a table altered by pt-online-schema-change
 * while the application writes to it.
 */
class MariaDbSchemaChangesIT extends BinlogSchemaChangesCheck {
    /**
     * pt-online-schema-change's shadow table, triggers, chunked copy and atomic RENAME swap reach the target as
     * the source ran them: the target ends with the source's rows and the new column.
     */
    @Test
    void ptOnlineSchemaChangeUnderWriteLoad() throws Exception {
        DatabasePair pair = pair("ptosc");
        pair.onBoth("CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL, name varchar(100))");
        StringBuilder rows = new StringBuilder("INSERT INTO users VALUES ");
        for (int i = 1; i <= 2000; i++) {
            rows.append(i == 1 ? "" : ", ").append("(").append(i).append(", 'u").append(i).append("@example.com', 'user')");
        }
        pair.onSource(rows.toString());
        try (Pipeline pipeline = pair.startPipeline()) {
            UniqueKeysCheck.awaitStreaming(pair, pipeline);
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = new Thread(() -> write(pair, writing, new AtomicInteger(10_000), failure), "app-writer");
            writer.start();
            try {
                PerconaToolkit.onlineSchemaChange(pair, "users", "ADD COLUMN bio varchar(200) NOT NULL DEFAULT ''");
            } finally {
                writing.set(false);
                writer.join(30_000);
            }
            assertThat(failure.get()).as("the application's writes").isNull();
            Map<String, List<String>> replicated = pair.awaitIdentical(Duration.ofSeconds(90), pipeline);
            assertThat(replicated.get("users")).hasSizeGreaterThan(2000);
            assertThat(replicated).doesNotContainKeys("_users_new", "_users_old");
            try (Connection c = pair.target(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.columns WHERE table_schema = DATABASE()"
                         + " AND table_name = 'users' AND column_name = 'bio'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the new column on the target").isEqualTo(1);
            }
            assertThat(pipeline.failure()).isNull();
        }
    }

    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("maria_" + prefix, Servers.mariadbSource(), Servers.mariadbTarget());
    }
}
