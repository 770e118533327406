package dev.overlap.replicator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.overlap.replicator.config.ConfigLoader;
import dev.overlap.replicator.pipeline.Teardown;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code overlap finish}: ends the overlap of a promoted pipeline and lists what it removed from both hosts
 * ({@link Teardown}). Exit codes: 0 everything removed; 1 something could not be removed (listed, with the
 * SQLSTATE); 2 bad config, a daemon of the pipeline still runs, an unfinished promote, or a pipeline that was not
 * promoted without {@code --abandon}.
 */
@Command(name = "finish", description = "End the overlap after the cutover: drop Overlap's slot, publication, triggers and tables on both hosts.")
public final class FinishCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "path of overlap.yml")
    private Path config;

    @Option(names = "--abandon", description = "also when the pipeline was not promoted: give the migration up")
    private boolean abandon;

    @Option(names = "--json", description = "print the report as JSON")
    private boolean json;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws JsonProcessingException {
        Teardown.Report report = new Teardown(new ConfigLoader().load(config)).finish(abandon);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else {
            out.println("pipeline " + report.pipeline() + ": overlap finished");
            report.removed().forEach(r -> out.println("  removed  " + r));
            report.left().forEach(r -> out.println("  NOT removed  " + r));
            if (report.removed().isEmpty() && report.left().isEmpty()) {
                out.println("  nothing of Overlap's was left on either host");
            }
        }
        out.flush();
        return report.left().isEmpty() ? ExitCode.OK : ExitCode.FAILURE;
    }
}
