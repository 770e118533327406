package dev.overlap.it;

/**
 * The two PostgreSQL servers the suite shares (old host and new host), started on first use and
 * stopped when the test JVM exits. Each test works in databases of its own ({@link DatabasePair}).
 */
final class Servers {
    private static DatabaseServer source;
    private static DatabaseServer target;

    private Servers() {
    }

    static synchronized DatabaseServer source() {
        if (source == null) {
            source = DatabaseServer.postgres();
            Runtime.getRuntime().addShutdownHook(new Thread(source::close));
        }
        return source;
    }

    static synchronized DatabaseServer target() {
        if (target == null) {
            target = DatabaseServer.postgres();
            Runtime.getRuntime().addShutdownHook(new Thread(target::close));
        }
        return target;
    }
}
