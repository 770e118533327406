package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * sysbench's {@code oltp_read_write} from 4 threads on the source while the daemon (a separate
 * JVM, {@code overlap.jar}) replicates it; the daemon is killed with SIGKILL twice during the load, once
 * inside the initial snapshot and once while streaming, and restarted each time; the load goes on
 * until 5 s after the second restart, however long the daemon took to get there (a busy machine). Afterwards every table is identical row by row, with nothing lost or duplicated, and
 * SIGTERM stops the daemon with exit code 0. Run for MariaDB ({@link MariaDbWorkloadIT}) and MySQL
 * ({@link MySqlWorkloadIT}).
 */
abstract class BinlogWorkloadCheck {
    private static final int TABLES = 2;
    private static final int ROWS = 10_000;

    /** @return a new pair of databases on this engine's two servers */
    abstract DatabasePair pair(String prefix) throws Exception;

    @Test
    void oltpReadWriteReplicatesThroughKillNineAndRestart() throws Exception {
        DatabasePair pair = pair("oltp");
        for (int t = 1; t <= TABLES; t++) {
            pair.onBoth(SysbenchOltpWorkload.ddl(t));
        }
        SysbenchOltpWorkload workload = new SysbenchOltpWorkload(pair.sourceServer, pair.name, TABLES, ROWS);
        workload.prepare();
        Path config = pair.writeConfig(pair.configYaml("apply:", "  max-batch-rows: 1000"));
        Map<String, String> env = Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword());

        OverlapProcess daemon = OverlapProcess.start(env, "run", "--config", config.toString());
        CompletableFuture<Long> load = CompletableFuture.supplyAsync(() -> {
            try {
                return workload.run(4, 300);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            // the first kill lands in the initial snapshot (restarted from scratch), the second while streaming
            Thread.sleep(5_000);
            assertThat(daemon.alive()).as("daemon alive; stderr: %s", daemon.stderr()).isTrue();
            daemon.kill();
            daemon = OverlapProcess.start(env, "run", "--config", config.toString());
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> UniqueKeysCheck.streamingOffset(pair));
            Thread.sleep(3_000);
            assertThat(daemon.alive()).as("daemon alive; stderr: %s", daemon.stderr()).isTrue();
            assertThat(load).as("load still running at the second kill").isNotDone();
            daemon.kill();
            daemon = OverlapProcess.start(env, "run", "--config", config.toString());
            Thread.sleep(5_000);
            workload.stop();
            long transactions = load.get();
            assertThat(transactions).as("sysbench transactions").isGreaterThan(100);

            Map<String, List<String>> rows = pair.awaitIdentical(Duration.ofSeconds(120));
            assertThat(rows.get("sbtest1")).hasSize(ROWS);
            assertThat(rows.get("sbtest2")).hasSize(ROWS);
            assertThat(daemon.terminate()).as("exit code after SIGTERM; stderr: %s", daemon.stderr()).isZero();
        } finally {
            workload.stop();
            if (daemon.alive()) {
                daemon.kill();
            }
        }
    }
}
