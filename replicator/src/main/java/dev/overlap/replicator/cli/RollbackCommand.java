package dev.overlap.replicator.cli;

import dev.overlap.replicator.config.OverlapConfig;
import picocli.CommandLine.Command;

/**
 * {@code overlap rollback}: after a promote with {@code promote.reverse}, asks the daemon, which replicates the new host
 * back to the old one, to cut over back ({@code POST /rollback}): the promote's state machine in reverse (freeze the new
 * host, fence, catch up the old host, verify, fix sequences and AUTO_INCREMENT, prepare the forward direction's start,
 * open the old host), with the same report and exit codes as {@code overlap promote} ({@link CutoverCommand}); an abort
 * leaves the new host writable. Afterwards the daemon replicates forward again from the old host, so the next promote
 * needs no new initial copy.
 */
@Command(name = "rollback", description = "Cut back after a promote: freeze the new host, catch up the old host, verify, open the old host.")
public final class RollbackCommand extends CutoverCommand {
    @Override
    String name() {
        return "rollback";
    }

    @Override
    OverlapConfig direction(OverlapConfig written) {
        return written.reversed();
    }
}
