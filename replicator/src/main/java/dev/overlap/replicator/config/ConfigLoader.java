package dev.overlap.replicator.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.overlap.replicator.UserError;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code overlap.yml} strictly: an unknown key, a missing required key or a bad value is a
 * {@link UserError} naming the key and the fix. Passwords and the admin token are accepted only as
 * {@code ${env:NAME}} or {@code ${file:/path}} references, so they never sit in the file itself.
 */
public final class ConfigLoader {
    private static final Pattern PIPELINE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    private static final Pattern SECRET_REF = Pattern.compile("\\$\\{(env|file):([^}]+)}");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private static final Map<String, Set<String>> KEYS = Map.of(
            "", Set.of("pipeline", "source", "target", "tables", "snapshot", "apply", "metrics", "admin", "promote"),
            "source", Set.of("url", "user", "password"),
            "target", Set.of("url", "user", "password"),
            "tables", Set.of("include", "exclude"),
            "apply", Set.of("max-batch-rows"),
            "metrics", Set.of("listen"),
            "admin", Set.of("token"),
            "promote", Set.of("max-lag", "verify", "timeout", "spare-roles"));

    private final Function<String, String> environment;

    /** A loader that resolves {@code ${env:…}} from the process environment. */
    public ConfigLoader() {
        this(System::getenv);
    }

    /** @param environment looks up environment variables; lets tests supply their own */
    public ConfigLoader(Function<String, String> environment) {
        this.environment = environment;
    }

    /**
     * @param file path of {@code overlap.yml}
     * @return the validated configuration
     * @throws UserError when the file is missing, unreadable, not YAML, or any value is wrong
     */
    public OverlapConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UserError("config file " + file + " does not exist; pass the path of overlap.yml with --config");
        } catch (IOException e) {
            throw new UserError("cannot read config file " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /**
     * @param yaml the YAML text
     * @param name how to name the file in messages
     * @return the validated configuration
     * @throws UserError when any key or value is wrong
     */
    public OverlapConfig parse(String yaml, String name) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new UserError(name + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        }
        if (root == null || !root.isObject()) {
            throw new UserError(name + " must be a YAML mapping with at least pipeline, source and target");
        }
        checkKeys(root, "", name);

        String pipeline = required(root, "pipeline", name);
        if (!PIPELINE_NAME.matcher(pipeline).matches()) {
            throw new UserError(name + ": pipeline '" + pipeline + "' must be 1-40 characters of a-z, 0-9 and _,"
                    + " starting with a letter (it names the replication slot)");
        }
        Endpoint source = endpoint(root, "source", name);
        Endpoint target = endpoint(root, "target", name);
        if (source.kind() != target.kind()) {
            throw new UserError(name + ": source is " + source.kind() + " but target is " + target.kind()
                    + "; Overlap moves a database between hosts of the same engine");
        }
        JsonNode tables = root.path("tables");
        TableFilter filter = new TableFilter(list(tables, "include", name), list(tables, "exclude", name));

        OverlapConfig.SnapshotMode snapshot = enumValue(root, "snapshot", "initial", OverlapConfig.SnapshotMode.class, name);
        int maxBatchRows = intValue(root.path("apply"), "apply.max-batch-rows", 2048, 1, 100_000, name);
        InetSocketAddress listen = listen(text(root.path("metrics"), "listen", "127.0.0.1:9404"), name);
        JsonNode admin = root.path("admin");
        Secret token = admin.has("token") ? secret(admin.get("token"), "admin.token", name) : null;

        JsonNode promote = root.path("promote");
        OverlapConfig.Promote promoteConfig = new OverlapConfig.Promote(
                duration(text(promote, "max-lag", "2s"), "promote.max-lag", name),
                enumValue(promote, "verify", "counts", OverlapConfig.VerifyMode.class, name),
                duration(text(promote, "timeout", "60s"), "promote.timeout", name),
                roles(promote, name));
        return new OverlapConfig(pipeline, source, target, filter, snapshot, maxBatchRows, listen, token, promoteConfig);
    }

    private static void checkKeys(JsonNode node, String path, String name) {
        Set<String> known = KEYS.get(path);
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            if (!known.contains(field.getKey())) {
                throw new UserError(name + ": unknown key '" + key + "'; known keys"
                        + (path.isEmpty() ? "" : " under " + path) + ": " + String.join(", ", known.stream().sorted().toList()));
            }
            if (KEYS.containsKey(key) && !field.getValue().isNull()) {
                if (!field.getValue().isObject()) {
                    throw new UserError(name + ": '" + key + "' must be a mapping of " + String.join(", ", KEYS.get(key)));
                }
                checkKeys(field.getValue(), key, name);
            }
        }
    }

    private Endpoint endpoint(JsonNode root, String role, String name) {
        JsonNode node = root.path(role);
        if (node.isMissingNode()) {
            throw new UserError(name + ": '" + role + "' is missing; give " + role + ".url, " + role + ".user and "
                    + role + ".password");
        }
        String url = required(node, role + ".url", "url", name);
        String user = required(node, role + ".user", "user", name);
        if (!node.has("password")) {
            throw new UserError(name + ": '" + role + ".password' is missing; give it as ${env:NAME} or ${file:/path}");
        }
        Secret password = secret(node.get("password"), role + ".password", name);
        try {
            return Endpoint.parse(role, url, user, password);
        } catch (IllegalArgumentException e) {
            throw new UserError(name + ": " + role + ".url " + e.getMessage());
        }
    }

    private Secret secret(JsonNode node, String key, String name) {
        Matcher m = SECRET_REF.matcher(node.asText());
        if (!node.isTextual() || !m.matches()) {
            throw new UserError(name + ": '" + key + "' must be a reference, ${env:NAME} or ${file:/path},"
                    + " so that the secret is not written in the config file");
        }
        String origin = m.group(1) + ":" + m.group(2);
        if (m.group(1).equals("env")) {
            String value = environment.apply(m.group(2));
            if (value == null) {
                throw new UserError(name + ": '" + key + "' refers to environment variable " + m.group(2)
                        + ", which is not set; export it before starting overlap");
            }
            return new Secret(value, origin);
        }
        try {
            String value = Files.readString(Path.of(m.group(2)));
            return new Secret(value.strip(), origin);
        } catch (IOException | RuntimeException e) {
            throw new UserError(name + ": '" + key + "' refers to file " + m.group(2)
                    + ", which cannot be read (" + e.getClass().getSimpleName() + "); check the path and its permissions");
        }
    }

    private static String required(JsonNode node, String key, String name) {
        return required(node, key, key, name);
    }

    private static String required(JsonNode node, String key, String field, String name) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || value.asText().isBlank()) {
            throw new UserError(name + ": '" + key + "' is missing");
        }
        if (!value.isValueNode()) {
            throw new UserError(name + ": '" + key + "' must be a single value");
        }
        return value.asText();
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? fallback : value.asText();
    }

    private static List<String> list(JsonNode node, String field, String name) {
        JsonNode value = node.get(field);
        List<String> items = new ArrayList<>();
        if (value == null || value.isNull()) {
            return items;
        }
        if (!value.isArray()) {
            throw new UserError(name + ": 'tables." + field + "' must be a list such as [public.*]");
        }
        for (JsonNode item : value) {
            String glob = item.asText();
            if (!glob.contains(".")) {
                throw new UserError(name + ": 'tables." + field + "' entry '" + glob
                        + "' must be schema.table (globs allowed, e.g. public.*)");
            }
            items.add(glob);
        }
        return items;
    }

    private static List<String> roles(JsonNode promote, String name) {
        JsonNode value = promote.get("spare-roles");
        List<String> roles = new ArrayList<>();
        if (value == null || value.isNull()) {
            return roles;
        }
        if (!value.isArray()) {
            throw new UserError(name + ": 'promote.spare-roles' must be a list of role names such as [backup, monitoring]");
        }
        value.forEach(role -> roles.add(role.asText()));
        return roles;
    }

    private static <E extends Enum<E>> E enumValue(JsonNode node, String field, String fallback, Class<E> type, String name) {
        String value = text(node, field, fallback);
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> allowed = new ArrayList<>();
            for (E constant : type.getEnumConstants()) {
                allowed.add(constant.name().toLowerCase(Locale.ROOT));
            }
            throw new UserError(name + ": '" + field + "' is '" + value + "'; use one of " + String.join(", ", allowed));
        }
    }

    private static int intValue(JsonNode node, String key, int fallback, int min, int max, String name) {
        JsonNode value = node.get(key.substring(key.indexOf('.') + 1));
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < min || value.asInt() > max) {
            throw new UserError(name + ": '" + key + "' is '" + value.asText() + "'; use a whole number from "
                    + min + " to " + max);
        }
        return value.asInt();
    }

    static Duration duration(String text, String key, String name) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new UserError(name + ": '" + key + "' is '" + text + "'; write a duration such as 500ms, 2s, 5m or 1h");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    private static InetSocketAddress listen(String text, String name) {
        int colon = text.lastIndexOf(':');
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (colon <= 0 || port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(text.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new UserError(name + ": 'metrics.listen' is '" + text + "'; write host:port such as 127.0.0.1:9404");
        }
    }
}
