package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code overlap demo --engine mariadb} as a user runs it after {@code mvn package}: the real
 * {@code overlap.jar} as a separate JVM starts two embedded MariaDB servers, replicates a live shop
 * and compares every table row by row. Short: 2,000 orders, 3 s of load.
 */
class DemoIT {
    @Test
    void mariadbDemoEndsIdentical() throws Exception {
        OverlapProcess demo = OverlapProcess.start(Map.of(), "demo", "--engine", "mariadb", "--seconds", "3", "--rows", "2000");
        int exit = demo.waitFor();
        String out = demo.stdout();
        assertThat(exit).as("exit code; stdout: %s%nstderr: %s", out, demo.stderr()).isZero();
        assertThat(out).as("stdout").doesNotContain("load client stopped")
                .containsPattern("(?m)^source and target identical: [0-9,]+ rows in 4 tables$");
        assertThat(out.strip().lines().filter(l -> l.startsWith("source and target")).toList()).hasSize(1);
    }
}
