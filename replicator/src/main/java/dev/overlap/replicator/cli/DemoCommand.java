package dev.overlap.replicator.cli;

import dev.overlap.replicator.demo.Demo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code overlap demo}: the whole job on two embedded PostgreSQL servers, nothing to install. */
@Command(name = "demo", description = "Replicate a live shop database between two embedded PostgreSQL servers, then verify.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "15", description = "how long the live write load runs (default: ${DEFAULT-VALUE})")
    private int seconds;

    @Option(names = "--rows", defaultValue = "20000", description = "orders in the source before replication starts (default: ${DEFAULT-VALUE})")
    private int rows;

    @Override
    public Integer call() throws Exception {
        return new Demo(System.out).run(rows, seconds) ? ExitCode.OK : ExitCode.DIFFERENT;
    }
}
