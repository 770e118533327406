package dev.overlap.replicator.cli;

import dev.overlap.replicator.config.OverlapConfig;
import picocli.CommandLine.Command;

/**
 * {@code overlap promote}: asks the running daemon to cut over from the old host to the new one ({@code POST /promote})
 * and waits for its report ({@link CutoverCommand}: exit codes 0 promoted or dry run passed, 4 aborted with the source
 * writable again, 1 failed after the point of no return or no daemon answers, 2 bad config or token). While the reverse
 * direction runs after it, the daemon answers with the stored report.
 */
@Command(name = "promote", description = "Cut over: freeze the source, wait for the last change, verify, fix sequences, open the target.")
public final class PromoteCommand extends CutoverCommand {
    @Override
    String name() {
        return "promote";
    }

    @Override
    OverlapConfig direction(OverlapConfig written) {
        return written;
    }
}
