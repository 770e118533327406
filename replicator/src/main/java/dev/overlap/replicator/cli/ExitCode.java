package dev.overlap.replicator.cli;

/** The exit codes of every {@code overlap} command (README, "Exit codes"). */
public final class ExitCode {
    /** success */
    public static final int OK = 0;
    /** runtime failure: a database failed while running; the pipeline resumes from its last commit */
    public static final int FAILURE = 1;
    /** usage or configuration error: the message names the problem and the fix; nothing was written */
    public static final int USAGE = 2;
    /** verification found differences */
    public static final int DIFFERENT = 3;
    /** promote aborted and the source was returned to writable */
    public static final int PROMOTE_ABORTED = 4;

    private ExitCode() {
    }
}
