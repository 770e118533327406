package dev.overlap.replicator.cli;

import dev.overlap.replicator.UserError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code overlap}: the command-line entry point; each subcommand is a class of this package. */
@Command(name = "overlap", mixinStandardHelpOptions = true, version = "overlap 0.1.0",
        description = "Moves a live PostgreSQL database to a new host with change data capture.",
        subcommands = {RunCommand.class, StatusCommand.class, PromoteCommand.class, RollbackCommand.class, FinishCommand.class, VerifyCommand.class,
                DemoCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:runtime failure", "2:usage or configuration error",
                "3:verification found differences", "4:promote aborted, source writable again"})
public final class OverlapCommand {

    /**
     * Runs the command line and exits with its code.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        // java.util.logging (pgjdbc's) goes through SLF4J to logback.xml, which decides what is printed
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        System.exit(execute(args));
    }

    /**
     * @param args command-line arguments
     * @return the exit code; a {@link UserError} is printed as one line on stderr and gives {@link ExitCode#USAGE}
     */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new OverlapCommand());
        cli.setExitCodeExceptionMapper(e -> e instanceof UserError ? ExitCode.USAGE : ExitCode.FAILURE);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof UserError) {
                commandLine.getErr().println("overlap: " + e.getMessage());
                return ExitCode.USAGE;
            }
            throw e;
        });
        return cli.execute(args);
    }
}
