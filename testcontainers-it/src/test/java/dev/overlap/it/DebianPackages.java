package dev.overlap.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Files from Debian's packages, for tests that load real applications' SQL schemas: the package is
 * fetched with {@code apt-get download} (after {@code apt-get update} when the package lists are missing
 * and the tests run as root) and unpacked with {@code dpkg-deb -x} into {@code target/debian/<package>},
 * once per build. Where that cannot be done (not Debian, no network), the tests that need it are skipped
 * with a message naming the package.
 */
final class DebianPackages {
    private static final Path ROOT = Path.of("target", "debian");

    private DebianPackages() {
    }

    /**
     * @param pkg the Debian package, e.g. {@code mediawiki}
     * @param path a file of it, e.g. {@code usr/share/mediawiki/maintenance/tables-generated.sql}
     * @return the unpacked file
     */
    static synchronized Path file(String pkg, String path) throws IOException, InterruptedException {
        Path dir = ROOT.resolve(pkg);
        Path file = dir.resolve(path);
        if (!Files.exists(file)) {
            unpack(pkg, dir);
        }
        Assumptions.assumeTrue(Files.exists(file), "Debian's package " + pkg + " cannot be fetched here (apt-get download "
                + pkg + "); the test needs its " + path);
        return file;
    }

    private static void unpack(String pkg, Path dir) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/apt-get")) || !Files.isExecutable(Path.of("/usr/bin/dpkg-deb"))) {
            return;
        }
        Path download = Files.createDirectories(ROOT.resolve("download"));
        if (run(download, List.of("apt-get", "download", pkg)) != 0 && "root".equals(System.getProperty("user.name"))) {
            run(download, List.of("apt-get", "update"));
            run(download, List.of("apt-get", "download", pkg));
        }
        try (Stream<Path> debs = Files.list(download)) {
            Path deb = debs.filter(p -> p.getFileName().toString().startsWith(pkg + "_") && p.toString().endsWith(".deb"))
                    .findFirst().orElse(null);
            if (deb != null) {
                Files.createDirectories(dir);
                run(download, List.of("dpkg-deb", "-x", deb.toAbsolutePath().toString(), dir.toAbsolutePath().toString()));
            }
        }
    }

    private static int run(Path dir, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process process = builder.start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}
