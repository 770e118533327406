package dev.overlap.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code overlap.jar} run as a separate JVM, as an operator runs it: for exit codes, stderr,
 * kill -9 and SIGTERM.
 */
final class OverlapProcess {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private OverlapProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * @param env environment variables to add
     * @param args the overlap command line
     * @return the started process
     */
    static OverlapProcess start(Map<String, String> env, String... args) throws IOException {
        Path jar = Path.of(System.getProperty("overlap.jar", "../replicator/target/overlap.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing; build it with mvn package");
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-jar", jar.toString()));
        command.addAll(List.of(args));
        Path dir = Files.createDirectories(Path.of("target", "it-processes"));
        Path out = Files.createTempFile(dir, "overlap-", ".out");
        Path err = Files.createTempFile(dir, "overlap-", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(env);
        return new OverlapProcess(builder.start(), out, err);
    }

    /** Runs to the end (at most 120 s) and returns the exit code. */
    int waitFor() throws InterruptedException, IOException {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("overlap did not exit within 120 s; stderr: " + stderr());
        }
        return process.exitValue();
    }

    /** SIGKILL: the daemon gets no chance to clean up. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, then waits for the exit code. */
    int terminate() throws InterruptedException, IOException {
        process.destroy();
        return waitFor();
    }

    boolean alive() {
        return process.isAlive();
    }

    String stdout() throws IOException {
        return Files.readString(stdout);
    }

    String stderr() throws IOException {
        return Files.readString(stderr);
    }
}
