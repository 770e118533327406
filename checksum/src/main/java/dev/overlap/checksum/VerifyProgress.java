package dev.overlap.checksum;

/** Reports how far a verification has got, in source rows hashed. Implementations are thread-safe. */
public interface VerifyProgress extends AutoCloseable {

    /**
     * @param totalRows rows expected on the source in the compared tables, from the catalog's estimates:
     *        what 100 % is, though the rows hashed may end above or below it
     */
    void start(long totalRows);

    /** @param rows source rows just hashed */
    void advance(long rows);

    /** Ends the report (a final line or the finished bar). */
    @Override
    void close();

    /**
     * @param terminal whether stderr is an interactive terminal ({@code System.console() != null})
     * @return a progress bar with rows/s and ETA on a terminal, log lines every 10 s otherwise
     */
    static VerifyProgress forOutput(boolean terminal) {
        return terminal ? new TerminalProgress() : new LogProgress(10_000);
    }
}
