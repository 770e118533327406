package dev.overlap.replicator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.overlap.checksum.ChecksumDialect;
import dev.overlap.checksum.MySqlChecksumDialect;
import dev.overlap.checksum.PostgresChecksumDialect;
import dev.overlap.checksum.RowDifference;
import dev.overlap.checksum.TableName;
import dev.overlap.checksum.TableReport;
import dev.overlap.checksum.Verifier;
import dev.overlap.checksum.VerifyOptions;
import dev.overlap.checksum.VerifyProgress;
import dev.overlap.checksum.VerifyReport;
import dev.overlap.replicator.UserError;
import dev.overlap.replicator.config.ConfigLoader;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.engine.Engine;
import dev.overlap.replicator.engine.Engines;
import dev.overlap.replicator.verify.EndpointDatabases;
import dev.overlap.replicator.verify.PipelineWatermark;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code overlap verify}: compares every selected table of the source with the target by row counts
 * and chunked hashes computed inside both databases (PostgreSQL, MySQL or MariaDB, the same engine on
 * both sides; the engine's {@link PostgresChecksumDialect} or {@link MySqlChecksumDialect}, with its
 * watermark); with {@code --rows} it also names the missing,
 * extra and different rows. While the pipeline replicates (it has an offset on the target),
 * differences are re-checked after the target has applied past them. Exits 0 when equal, 3 when
 * different, 2 on bad input, 1 when a database fails.
 */
@Command(name = "verify", description = "Compare source and target: row counts, chunked hashes, optionally the differing rows.")
public final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "path of overlap.yml")
    private Path config;

    @Option(names = "--json", description = "print the report as JSON on stdout")
    private boolean json;

    @Option(names = "--tables", split = ",", paramLabel = "schema.table",
            description = "compare only these source tables (default: the tables the config selects)")
    private List<String> tables;

    @Option(names = "--rows", description = "bisect differing chunks and name the missing, extra and different rows")
    private boolean rows;

    @Option(names = "--threads", defaultValue = "2", description = "parallel workers, each with one connection per side (default: ${DEFAULT-VALUE})")
    private int threads;

    @Option(names = "--max-differences", defaultValue = "100",
            description = "most differing chunks and rows listed per table; totals count all (default: ${DEFAULT-VALUE})")
    private int maxDifferences;

    @Override
    public Integer call() throws SQLException, InterruptedException, java.io.IOException {
        if (threads < 1 || threads > 64) {
            throw new UserError("--threads must be between 1 and 64, not " + threads);
        }
        if (maxDifferences < 0) {
            throw new UserError("--max-differences must be 0 or more, not " + maxDifferences);
        }
        OverlapConfig cfg = new ConfigLoader().load(config);
        EndpointDatabases databases = new EndpointDatabases(cfg.source(), cfg.target(), java.time.Duration.ZERO);
        ChecksumDialect dialect;
        PipelineWatermark watermark;
        try (Engine engine = Engines.connect(cfg)) {
            dialect = engine.checksumDialect();
            watermark = engine.watermark(databases::openTarget);
        }
        List<TableName> selected;
        boolean live;
        try (Connection source = databases.openSource(); Connection target = databases.openTarget()) {
            selected = select(dialect.tables(source), cfg);
            live = watermark.replicating(target);
        }
        VerifyReport report;
        try (VerifyProgress progress = VerifyProgress.forOutput(System.console() != null)) {
            report = new Verifier(dialect, databases, VerifyOptions.defaults(threads, rows, maxDifferences),
                    live ? watermark : null, progress).verify(selected);
        }
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT, SerializationFeature.WRITE_ENUMS_USING_TO_STRING).writeValueAsString(report));
        } else {
            print(report, System.out);
        }
        return report.equal() ? ExitCode.OK : ExitCode.DIFFERENT;
    }

    /** @return the tables named by --tables (each must exist on the source), else those the config selects */
    private List<TableName> select(List<TableName> onSource, OverlapConfig cfg) {
        if (tables == null || tables.isEmpty()) {
            List<TableName> selected = onSource.stream().filter(t -> cfg.tables().selects(t.schema(), t.table())).toList();
            if (selected.isEmpty()) {
                throw new UserError("no source table matches tables " + cfg.tables() + "; check tables.include in " + config);
            }
            return selected;
        }
        List<TableName> selected = new ArrayList<>();
        for (String name : tables) {
            TableName table;
            try {
                table = TableName.parse(name.trim());
            } catch (IllegalArgumentException e) {
                throw new UserError("--tables: " + e.getMessage() + "; name tables as schema.table, e.g. public.orders");
            }
            if (!onSource.contains(table)) {
                throw new UserError("--tables: unknown table " + table + " on the source " + cfg.source().display()
                        + "; names are case-sensitive, as in schema.table");
            }
            selected.add(table);
        }
        return selected;
    }

    private static void print(VerifyReport report, PrintStream out) {
        for (TableReport t : report.tables()) {
            out.printf("%-40s source %,12d rows  target %,12d rows  %s%n", t.table(), t.sourceRows(), t.targetRows(),
                    t.equal() ? "equal" : "DIFFERENT");
            if (t.note() != null) {
                out.println("    note: " + t.note());
            }
            if (t.differentChunks() > 0) {
                out.printf("    %,d of %,d chunks differ%s%n", t.differentChunks(), t.chunks(),
                        t.missingRows() + t.extraRows() + t.differentRows() > 0
                                ? String.format(": %,d rows missing on the target, %,d extra, %,d different",
                                t.missingRows(), t.extraRows(), t.differentRows()) : "");
                t.chunkDifferences().stream().limit(t.rowDifferences().isEmpty() ? Long.MAX_VALUE : 0).forEach(c ->
                        out.printf("    chunk %s .. %s: source %,d rows, target %,d rows%n",
                                c.lower() == null ? "start" : c.lower(), c.upper() == null ? "end" : c.upper(), c.sourceRows(), c.targetRows()));
                for (RowDifference d : t.rowDifferences()) {
                    out.printf("    %-9s %s%s%n", d.kind(), d.key().entrySet().stream()
                                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")),
                            d.columns().isEmpty() ? "" : "  columns " + String.join(", ", d.columns()));
                }
            }
        }
        out.printf("%s: %,d rows in %d tables compared in %.1f s%s%n", report.equal() ? "source and target identical"
                        : report.tablesDifferent() + " of " + report.tablesCompared() + " tables DIFFER",
                report.sourceRows(), report.tablesCompared(), report.seconds(), report.live() ? " (live: differences re-checked)" : "");
    }
}
