package dev.overlap.replicator.cli;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.config.DatabaseKind;
import dev.overlap.replicator.demo.Demo;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code overlap demo}: the whole job on two embedded servers (PostgreSQL, MariaDB or MySQL), nothing to install. */
@Command(name = "demo", description = "Replicate a live shop database between two embedded servers (PostgreSQL, MariaDB or MySQL),"
        + " then verify.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "15", description = "how long the live write load runs (default: ${DEFAULT-VALUE})")
    private int seconds;

    @Option(names = "--rows", defaultValue = "20000", description = "orders in the source before replication starts (default: ${DEFAULT-VALUE})")
    private int rows;

    @Option(names = "--engine", defaultValue = "postgresql",
            description = "postgresql, mariadb (11.4) or mysql (8.0; needs libaio1) (default: ${DEFAULT-VALUE})")
    private String engine;

    @Override
    public Integer call() throws Exception {
        DatabaseKind chosen;
        try {
            chosen = DatabaseKind.valueOf(engine.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserError("--engine " + engine + ": choose postgresql, mariadb or mysql");
        }
        return new Demo(System.out).run(chosen, rows, seconds) ? ExitCode.OK : ExitCode.DIFFERENT;
    }
}
