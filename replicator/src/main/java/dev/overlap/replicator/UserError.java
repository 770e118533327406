package dev.overlap.replicator;

/**
 * A problem the user can fix: bad configuration, an unreachable database, a missing grant or setting.
 *
 * <p>The message is one line that names the problem and the fix; the CLI prints it without a stack
 * trace and exits with the usage exit code, 2. The message never
 * contains a password or a credentialed URL.
 */
public class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message one line: what is wrong and how to fix it */
    public UserError(String message) {
        super(message, null, false, false);
    }
}
