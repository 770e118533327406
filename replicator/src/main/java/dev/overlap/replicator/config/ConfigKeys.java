package dev.overlap.replicator.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.overlap.replicator.UserError;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every key of {@code overlap.yml}, in the order of the README's configuration reference, each with its
 * default, check and description ({@link ConfigKey}). {@link #reference()} renders the reference.
 */
public final class ConfigKeys {
    private static final Pattern PIPELINE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    private static final Pattern SECRET_REF = Pattern.compile("\\$\\{(env|file):([^}]+)}");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    /** The column the reference's comments start at. */
    private static final int COMMENT_COLUMN = 36;

    /** {@code pipeline}: the pipeline's name. */
    public static final ConfigKey<String> PIPELINE = new ConfigKey<>("pipeline", "shop", null, true,
            "a-z, 0-9, _; names the slot/publication (overlap_shop), tags metrics", ConfigKeys::pipelineName);
    /** {@code source.url}: the source's JDBC URL. */
    public static final ConfigKey<String> SOURCE_URL = text("source.url", "jdbc:postgresql://old-host:5432/shop",
            "jdbc:postgresql://, jdbc:mysql:// or jdbc:mariadb://host:port/database");
    /** {@code source.user}: the source's login. */
    public static final ConfigKey<String> SOURCE_USER = text("source.user", "overlap", "");
    /** {@code source.password}: a reference to the source's password. */
    public static final ConfigKey<Secret> SOURCE_PASSWORD = secret("source.password", "${env:OVERLAP_SOURCE_PASSWORD}", true,
            "only ${env:NAME} or ${file:/path}; never logged");
    /** {@code source.tls}: the TLS settings of every source connection. */
    public static final ConfigKey<Tls> SOURCE_TLS = tls("source.tls", "{mode: verify-full, ca: /etc/overlap/old-host-ca.pem}",
            "every connection of the side, the change stream included:\n"
                    + "  mode: disable | require | verify-ca | verify-full; ca: PEM file (default: the JVM's\n"
                    + "  trust store); cert, key: client certificate and PKCS#8 key, optional. Left out: the\n"
                    + "  drivers' defaults (unverified TLS when the server offers it; MariaDB's stream: none)");
    /** {@code target.url}: the target's JDBC URL. */
    public static final ConfigKey<String> TARGET_URL = text("target.url", "jdbc:postgresql://new-host:5432/shop", "");
    /** {@code target.user}: the target's login. */
    public static final ConfigKey<String> TARGET_USER = text("target.user", "overlap", "");
    /** {@code target.password}: a reference to the target's password. */
    public static final ConfigKey<Secret> TARGET_PASSWORD = secret("target.password", "${file:/run/secrets/target}", true, "");
    /** {@code target.tls}: the TLS settings of every target connection. */
    public static final ConfigKey<Tls> TARGET_TLS = tls("target.tls", "{mode: verify-full, ca: /etc/overlap/new-host-ca.pem}", "");
    /** {@code tables.include}: the tables replicated. */
    public static final ConfigKey<List<String>> TABLES_INCLUDE = new ConfigKey<>("tables.include", "[public.*]", null, false,
            "schema.table globs; default: every table", ConfigKeys::globs);
    /** {@code tables.exclude}: tables left out of those included. */
    public static final ConfigKey<List<String>> TABLES_EXCLUDE = new ConfigKey<>("tables.exclude", "[public.sessions]", null,
            false, "", ConfigKeys::globs);
    /** {@code schema}: whether a new pipeline creates the selected tables on the target. */
    public static final ConfigKey<OverlapConfig.SchemaMode> SCHEMA = new ConfigKey<>("schema", "copy", null, false,
            "copy: a new pipeline creates the selected tables the target lacks, from the source\n"
                    + "  | existing: the target's tables must exist and match; default: copy when the\n"
                    + "  target has none of the selected tables, else existing",
            (node, where, env) -> enumValue(node, where, OverlapConfig.SchemaMode.class));
    /** {@code snapshot.mode}: whether a new pipeline copies the rows first. */
    public static final ConfigKey<OverlapConfig.SnapshotMode> SNAPSHOT_MODE = new ConfigKey<>("snapshot.mode", "initial", "initial",
            false, "initial: copy existing rows first | never: stream changes only",
            (node, where, env) -> enumValue(node, where, OverlapConfig.SnapshotMode.class));
    /** {@code snapshot.threads}: the initial copy's parallel sessions. */
    public static final ConfigKey<Integer> SNAPSHOT_THREADS = new ConfigKey<>("snapshot.threads", "4", null, false,
            "source sessions copying in parallel (1..64); default: the cores of this host",
            (node, where, env) -> whole(node, where, 1, 64));
    /** {@code snapshot.max-rows-per-second}: the initial copy's rate limit. */
    public static final ConfigKey<Integer> SNAPSHOT_MAX_ROWS_PER_SECOND = new ConfigKey<>("snapshot.max-rows-per-second", "50000",
            "0", false, "most rows/s the copy reads from the source, all sessions; 0: no limit",
            (node, where, env) -> whole(node, where, 0, 100_000_000));
    /** {@code apply.max-batch-rows}: the most change events per target transaction. */
    public static final ConfigKey<Integer> APPLY_MAX_BATCH_ROWS = new ConfigKey<>("apply.max-batch-rows", "2048", "2048", false,
            "most change events per target transaction (1..100000)", (node, where, env) -> whole(node, where, 1, 100_000));
    /** {@code metrics.listen}: where the HTTP server listens. */
    public static final ConfigKey<InetSocketAddress> METRICS_LISTEN = new ConfigKey<>("metrics.listen", "127.0.0.1:9404",
            "127.0.0.1:9404", false, "GET /metrics (Prometheus), GET /health; port 0 = any free port", ConfigKeys::address);
    /** {@code metrics.tls}: HTTPS for the daemon's endpoints. */
    public static final ConfigKey<ListenerTls> METRICS_TLS = new ConfigKey<>("metrics.tls",
            "{cert: /etc/overlap/overlap.crt, key: /etc/overlap/overlap.key}", null, false,
            "serve the endpoints over HTTPS: PEM certificate, PKCS#8 key;\n"
                    + "  overlap status and promote accept exactly this certificate; default: plain HTTP",
            (node, where, env) -> ListenerTls.read(node, where));
    /** {@code admin.token}: a reference to the bearer token of the admin POST endpoints. */
    public static final ConfigKey<Secret> ADMIN_TOKEN = secret("admin.token", "${env:OVERLAP_ADMIN_TOKEN}", false,
            "bearer token of POST /promote; promote is refused without it");
    /** {@code promote.max-lag}: the lag PRECHECK and {@code /health} accept. */
    public static final ConfigKey<Duration> PROMOTE_MAX_LAG = new ConfigKey<>("promote.max-lag", "2s", "2s", false,
            "PRECHECK waits for lag below this; /health turns 503 above it", ConfigKeys::duration);
    /** {@code promote.verify}: what promote compares while the source is frozen. */
    public static final ConfigKey<OverlapConfig.VerifyMode> PROMOTE_VERIFY = new ConfigKey<>("promote.verify", "exact", "exact",
            false, "exact: every table verified while streaming, and while frozen only the rows changed since\n"
                    + "  | checksum: every table verified while frozen | counts | none",
            (node, where, env) -> enumValue(node, where, OverlapConfig.VerifyMode.class));
    /** {@code promote.verify-interval}: how often the daemon verifies every table while streaming. */
    public static final ConfigKey<Duration> PROMOTE_VERIFY_INTERVAL = new ConfigKey<>("promote.verify-interval", "6h", "6h",
            false, "with verify: exact, the daemon verifies every table this often while streaming (one session per\n"
                    + "  side), so that promote re-checks only the rows changed since; 0s: only at promote", ConfigKeys::duration);
    /** {@code promote.reverse}: whether promote prepares replication back to the old host. */
    public static final ConfigKey<Boolean> PROMOTE_REVERSE = new ConfigKey<>("promote.reverse", "true", "true", false,
            "after promote, replicate the new host's writes back to the old one until overlap rollback or finish\n"
                    + "  (the new host needs the source's replication settings and grants)", ConfigKeys::bool);
    /** {@code promote.timeout}: the longest wait of PRECHECK for low lag, of the catch-up and of any database call of promote. */
    public static final ConfigKey<Duration> PROMOTE_TIMEOUT = new ConfigKey<>("promote.timeout", "60s", "60s", false,
            "PRECHECK waits at most this for low lag, CATCH_UP for the fence, and any one database call of promote\n"
                    + "  at most this for an answer, then aborts", ConfigKeys::duration);
    /** {@code promote.spare-roles}: roles whose sessions the freeze leaves alone. */
    public static final ConfigKey<List<String>> PROMOTE_SPARE_ROLES = new ConfigKey<>("promote.spare-roles", "[monitoring]", null,
            false, "sessions of these roles survive the freeze (the source user always does)", ConfigKeys::roles);

    /** Every key, in the reference's order. */
    public static final List<ConfigKey<?>> ALL = List.of(PIPELINE, SOURCE_URL, SOURCE_USER, SOURCE_PASSWORD, SOURCE_TLS, TARGET_URL,
            TARGET_USER, TARGET_PASSWORD, TARGET_TLS, TABLES_INCLUDE, TABLES_EXCLUDE, SCHEMA, SNAPSHOT_MODE,
            SNAPSHOT_THREADS, SNAPSHOT_MAX_ROWS_PER_SECOND, APPLY_MAX_BATCH_ROWS, METRICS_LISTEN, METRICS_TLS,
            ADMIN_TOKEN, PROMOTE_MAX_LAG, PROMOTE_VERIFY, PROMOTE_VERIFY_INTERVAL, PROMOTE_REVERSE, PROMOTE_TIMEOUT, PROMOTE_SPARE_ROLES);

    private ConfigKeys() {
    }

    /**
     * @return the README's configuration reference: every key with its example value and its description, as
     *         a YAML document
     */
    public static String reference() {
        StringBuilder out = new StringBuilder();
        String section = "";
        for (ConfigKey<?> key : ALL) {
            String indent = "";
            if (!key.section().isEmpty()) {
                indent = "  ";
                if (!key.section().equals(section)) {
                    out.append(key.section()).append(":\n");
                }
            }
            section = key.section();
            String line = indent + key.name() + ": " + key.example();
            String[] description = key.description().split("\n");
            if (description[0].isEmpty()) {
                out.append(line).append('\n');
                continue;
            }
            out.append(line).append(" ".repeat(Math.max(1, COMMENT_COLUMN - line.length()))).append("# ")
                    .append(description[0]).append('\n');
            for (int i = 1; i < description.length; i++) {
                out.append(" ".repeat(COMMENT_COLUMN)).append("# ").append(description[i]).append('\n');
            }
        }
        return out.toString();
    }

    private static ConfigKey<String> text(String path, String example, String description) {
        return new ConfigKey<>(path, example, null, true, description, (node, where, env) -> node.asText());
    }

    private static ConfigKey<Tls> tls(String path, String example, String description) {
        return new ConfigKey<>(path, example, null, false, description, (node, where, env) -> Tls.read(node, where));
    }

    private static ConfigKey<Secret> secret(String path, String example, boolean required, String description) {
        return new ConfigKey<>(path, example, null, required, description, ConfigKeys::secretValue);
    }

    private static String pipelineName(JsonNode node, String where, Function<String, String> env) {
        String pipeline = node.asText();
        if (!PIPELINE_NAME.matcher(pipeline).matches()) {
            throw new UserError(where.substring(0, where.indexOf(':')) + ": pipeline '" + pipeline
                    + "' must be 1-40 characters of a-z, 0-9 and _, starting with a letter (it names the replication slot)");
        }
        if (pipeline.endsWith(OverlapConfig.REVERSE_SUFFIX)) {
            throw new UserError(where.substring(0, where.indexOf(':')) + ": pipeline '" + pipeline + "' ends with "
                    + OverlapConfig.REVERSE_SUFFIX + ", which names the reverse direction after promote; choose another name");
        }
        return pipeline;
    }

    private static Boolean bool(JsonNode node, String where, Function<String, String> env) {
        if (!node.isBoolean()) {
            throw new UserError(where + " is '" + node.asText() + "'; write true or false");
        }
        return node.asBoolean();
    }

    private static Secret secretValue(JsonNode node, String where, Function<String, String> env) {
        Matcher m = SECRET_REF.matcher(node.asText());
        if (!node.isTextual() || !m.matches()) {
            throw new UserError(where + " must be a reference, ${env:NAME} or ${file:/path}, so that the secret is not"
                    + " written in the config file");
        }
        String origin = m.group(1) + ":" + m.group(2);
        if (m.group(1).equals("env")) {
            String value = env.apply(m.group(2));
            if (value == null) {
                throw new UserError(where + " refers to environment variable " + m.group(2) + ", which is not set;"
                        + " export it before starting overlap");
            }
            return new Secret(value, origin);
        }
        try {
            return new Secret(Files.readString(Path.of(m.group(2))).strip(), origin);
        } catch (IOException | RuntimeException e) {
            throw new UserError(where + " refers to file " + m.group(2) + ", which cannot be read ("
                    + e.getClass().getSimpleName() + "); check the path and its permissions");
        }
    }

    private static List<String> globs(JsonNode node, String where, Function<String, String> env) {
        List<String> items = new ArrayList<>();
        if (!node.isArray()) {
            throw new UserError(where + " must be a list such as [public.*]");
        }
        for (JsonNode item : node) {
            String glob = item.asText();
            if (!glob.contains(".")) {
                throw new UserError(where + " entry '" + glob + "' must be schema.table (globs allowed, e.g. public.*)");
            }
            items.add(glob);
        }
        return items;
    }

    private static List<String> roles(JsonNode node, String where, Function<String, String> env) {
        if (!node.isArray()) {
            throw new UserError(where + " must be a list of role names such as [backup, monitoring]");
        }
        List<String> roles = new ArrayList<>();
        node.forEach(role -> roles.add(role.asText()));
        return roles;
    }

    private static <E extends Enum<E>> E enumValue(JsonNode node, String where, Class<E> type) {
        String value = node.asText();
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> allowed = new ArrayList<>();
            for (E constant : type.getEnumConstants()) {
                allowed.add(constant.name().toLowerCase(Locale.ROOT));
            }
            throw new UserError(where + " is '" + value + "'; use one of " + String.join(", ", allowed));
        }
    }

    private static int whole(JsonNode node, String where, int min, int max) {
        if (!node.canConvertToInt() || !node.isIntegralNumber() || node.asInt() < min || node.asInt() > max) {
            throw new UserError(where + " is '" + node.asText() + "'; use a whole number from " + min + " to " + max);
        }
        return node.asInt();
    }

    private static Duration duration(JsonNode node, String where, Function<String, String> env) {
        String text = node.asText();
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new UserError(where + " is '" + text + "'; write a duration such as 500ms, 2s, 5m or 1h");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    private static InetSocketAddress address(JsonNode node, String where, Function<String, String> env) {
        String text = node.asText();
        int colon = text.lastIndexOf(':');
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (colon <= 0 || port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(text.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new UserError(where + " is '" + text + "'; write host:port such as 127.0.0.1:9404");
        }
    }
}
