package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.checksum.VerifyReport;
import dev.overlap.replicator.pipeline.Pipeline;
import dev.overlap.replicator.verify.PipelineWatermark;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Verifying while a real pipeline replicates and a writer keeps changing the source: a check without
 * the watermark sees the changes in flight as differences, the check with it reports none, because a
 * differing chunk is re-checked only after the target has applied past the source position it was read at.
 */
class VerifyLiveIT {

    @Test
    void writesDuringVerifyGiveNoFalseDifference() throws Exception {
        DatabasePair pair = DatabasePair.create("verifylive");
        pair.onBoth("CREATE TABLE accounts (id int PRIMARY KEY, balance numeric(12,2) NOT NULL, note text, updated_at timestamp(6))");
        pair.onSource("INSERT INTO accounts SELECT i, 100, 'note ' || i, '2024-01-01' FROM generate_series(1, 20000) i");
        try (Pipeline pipeline = pair.startPipeline()) {
            pair.awaitIdentical(Duration.ofSeconds(120));
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong writes = new AtomicLong();
            Thread writer = new Thread(() -> write(pair, writing, writes), "writer");
            writer.start();
            try {
                Thread.sleep(500);
                VerifyReport naive = VerifyIT.verify(pair, true, null, "public.accounts");
                PipelineWatermark watermark = pair.watermark();
                VerifyReport live = VerifyIT.verify(pair, true, watermark, "public.accounts");
                assertThat(writer.isAlive()).as("the writer ran during both checks").isTrue();
                assertThat(pipeline.failure()).isNull();
                assertThat(naive.equal()).as("without the watermark, changes in flight show (else this test proves nothing): %s", naive)
                        .isFalse();
                assertThat(live.live()).isTrue();
                assertThat(live.tables().get(0).rowDifferences()).isEmpty();
                assertThat(live.equal()).as("%s", live).isTrue();
                assertThat(live.tables().get(0).chunks()).isGreaterThan(5);
            } finally {
                writing.set(false);
                writer.join();
            }
            assertThat(writes.get()).isGreaterThan(100);
            System.out.printf("live verify: %s; %,d source writes during both checks%n", "ok", writes.get());
        }
    }

    /** Updates, inserts and deletes random rows in small autocommit transactions until told to stop. */
    private static void write(DatabasePair pair, AtomicBoolean writing, AtomicLong writes) {
        try (Connection c = pair.source();
             PreparedStatement update = c.prepareStatement("UPDATE accounts SET balance = balance + 1, updated_at = clock_timestamp() WHERE id = ?");
             PreparedStatement insert = c.prepareStatement("INSERT INTO accounts VALUES (?, 1, 'new', clock_timestamp()) ON CONFLICT DO NOTHING");
             PreparedStatement delete = c.prepareStatement("DELETE FROM accounts WHERE id = ?")) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (writing.get()) {
                int id = random.nextInt(1, 25_000);
                PreparedStatement statement = switch (random.nextInt(10)) {
                    case 0 -> insert;
                    case 1 -> delete;
                    default -> update;
                };
                statement.setInt(1, id);
                statement.executeUpdate();
                writes.incrementAndGet();
                Thread.sleep(2);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
