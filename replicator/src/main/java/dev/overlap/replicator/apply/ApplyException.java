package dev.overlap.replicator.apply;

/**
 * A batch could not be applied; nothing of it was committed and its offset was not advanced. The
 * daemon stops with exit code 1 and, once the cause is fixed, resumes from the last committed batch.
 */
public class ApplyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, naming the table where known
     * @param cause the underlying error, or {@code null}
     */
    public ApplyException(String message, Throwable cause) {
        super(message, cause);
    }
}
