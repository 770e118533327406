package dev.overlap.it;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code pt-online-schema-change} from Debian's {@code percona-toolkit}, run from the unpacked packages
 * ({@link DebianPackages}) with the Perl modules it needs (DBI, DBD::mysql and the MariaDB client library
 * it links), so that nothing is installed on the machine. It alters a table while the application writes:
 * a shadow table {@code _<table>_new} with the new shape, triggers that copy the writes into it, a chunked
 * copy of the rows, then the atomic {@code RENAME TABLE} swap and the drop of the old table.
 */
final class PerconaToolkit {
    private static final String PERL = "usr/lib/x86_64-linux-gnu/perl5/5.36";

    private PerconaToolkit() {
    }

    /**
     * @param pair the source database is altered
     * @param table the table
     * @param alter the ALTER TABLE clauses, e.g. {@code ADD COLUMN bio varchar(200)}
     * @return the tool's output
     * @throws AssertionError when the tool fails
     */
    static String onlineSchemaChange(DatabasePair pair, String table, String alter) throws IOException, InterruptedException {
        Path tool = DebianPackages.file("percona-toolkit", "usr/bin/pt-online-schema-change");
        Path dbi = DebianPackages.file("libdbi-perl", PERL + "/DBI.pm");
        Path dbd = DebianPackages.file("libdbd-mysql-perl", PERL + "/DBD/mysql.pm");
        Path client = DebianPackages.file("libmariadb3", "usr/lib/x86_64-linux-gnu/libmariadb.so.3");
        URI server = URI.create(pair.sourceServer.jdbcUrl(pair.name).substring("jdbc:".length()));
        List<String> command = new ArrayList<>(List.of("perl", tool.toAbsolutePath().toString(),
                "--alter", alter, "--execute", "--recursion-method=none", "--chunk-size=200", "--no-check-unique-key-change",
                "h=" + server.getHost() + ",P=" + server.getPort() + ",u=" + pair.sourceServer.superuser()
                        + (pair.sourceServer.superuserPassword().isEmpty() ? "" : ",p=" + pair.sourceServer.superuserPassword())
                        + ",D=" + pair.name + ",t=" + table));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PERL5LIB", String.join(":", root(dbi, 6).resolve(PERL).toString(), root(dbd, 7).resolve(PERL).toString(),
                root(tool, 3).resolve("usr/share/perl5").toString()));
        builder.environment().put("LD_LIBRARY_PATH", client.toAbsolutePath().getParent().toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new AssertionError("pt-online-schema-change failed: " + output);
        }
        return output;
    }

    /** @return the directory a package was unpacked into, from one of its files {@code depth} levels below it */
    private static Path root(Path file, int depth) {
        Path root = file.toAbsolutePath();
        for (int i = 0; i < depth; i++) {
            root = root.getParent();
        }
        return Files.isDirectory(root) ? root : file;
    }
}
