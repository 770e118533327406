package dev.overlap.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code prometheus} package (the {@code prometheus} server and {@code promtool}): found on
 * the PATH or in /usr/bin, else installed with apt-get when the tests run as root on Debian; otherwise
 * the tests that need it are skipped with a message saying how to install it.
 */
final class PrometheusTools {
    private static Boolean available;

    private PrometheusTools() {
    }

    /** @return the path of a binary of the package, e.g. {@code promtool} */
    static synchronized String binary(String name) throws IOException, InterruptedException {
        if (available == null) {
            available = Files.isExecutable(Path.of("/usr/bin/promtool")) || install();
        }
        Assumptions.assumeTrue(available, "promtool and prometheus are not installed and cannot be installed here;"
                + " install Debian's package: apt-get install prometheus");
        return "/usr/bin/" + name;
    }

    private static boolean install() throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/apt-get")) || !"root".equals(System.getProperty("user.name"))) {
            return false;
        }
        System.out.println("installing Debian's prometheus package (promtool) for the tests...");
        run(List.of("apt-get", "update"));
        run(List.of("apt-get", "install", "-y", "--no-install-recommends", "prometheus"));
        return Files.isExecutable(Path.of("/usr/bin/promtool"));
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process process = builder.start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
    }

    /**
     * @param stdin text for the command's standard input, or {@code null}
     * @param command the command
     * @return exit code and combined output
     */
    static Result exec(String stdin, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("promtool", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        Process process = builder.start();
        if (stdin != null) {
            try (var in = process.getOutputStream()) {
                in.write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        } else {
            process.getOutputStream().close();
        }
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        String text = Files.readString(out);
        Files.delete(out);
        return new Result(process.exitValue(), text);
    }

    record Result(int exit, String output) {
    }
}
