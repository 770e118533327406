package dev.overlap.replicator.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MySqlSourceTest {

    @Test
    void backlogCountsTheRestOfTheAppliedFileAndEveryLaterOne() {
        Map<String, Long> logs = new LinkedHashMap<>();
        logs.put("binlog.000001", 1_000L);
        logs.put("binlog.000002", 5_000L);
        logs.put("binlog.000003", 700L);
        assertThat(MySqlSource.backlogBytes(logs, "binlog.000002", 4_000)).isEqualTo(1_000 + 700);
        assertThat(MySqlSource.backlogBytes(logs, "binlog.000003", 700)).isZero();
        assertThat(MySqlSource.backlogBytes(logs, "binlog.000000", 4)).isEqualTo(6_700);
    }

    @Test
    void serverFlavourAndUpsertSyntaxComeFromTheVersion() {
        MySqlServer maria = MySqlServer.parse("11.4.5-MariaDB-log");
        assertThat(maria.mariadb()).isTrue();
        assertThat(maria.supportsRowAlias()).isFalse();
        assertThat(MySqlServer.parse("8.0.31").supportsRowAlias()).isTrue();
        assertThat(MySqlServer.parse("8.0.18").supportsRowAlias()).isFalse();
        assertThat(MySqlServer.parse("10.11.9-MariaDB-0+deb12u1").minor()).isEqualTo(11);
    }
}
