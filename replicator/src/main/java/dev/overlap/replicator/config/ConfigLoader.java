package dev.overlap.replicator.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.overlap.replicator.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads {@code overlap.yml} strictly, through the declarations of {@link ConfigKeys}: an unknown key, a
 * missing required key or a bad value is a {@link UserError} naming the key and the fix. Passwords and
 * the admin token are accepted only as {@code ${env:NAME}} or {@code ${file:/path}} references, so they
 * never sit in the file itself.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

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
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new UserError(name + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        }
        if (root == null || !root.isObject()) {
            throw new UserError(name + " must be a YAML mapping with at least pipeline, source and target");
        }
        checkKeys(root, "", name);

        String pipeline = read(root, ConfigKeys.PIPELINE, name);
        Endpoint source = endpoint(root, "source", ConfigKeys.SOURCE_URL, ConfigKeys.SOURCE_USER, ConfigKeys.SOURCE_PASSWORD,
                ConfigKeys.SOURCE_TLS, name);
        Endpoint target = endpoint(root, "target", ConfigKeys.TARGET_URL, ConfigKeys.TARGET_USER, ConfigKeys.TARGET_PASSWORD,
                ConfigKeys.TARGET_TLS, name);
        if (source.kind() != target.kind()) {
            throw new UserError(name + ": source is " + source.kind() + " but target is " + target.kind()
                    + "; Overlap moves a database between hosts of the same engine");
        }
        List<String> include = read(root, ConfigKeys.TABLES_INCLUDE, name);
        List<String> exclude = read(root, ConfigKeys.TABLES_EXCLUDE, name);
        TableFilter filter = new TableFilter(include == null ? List.of() : include, exclude == null ? List.of() : exclude);
        List<String> spareRoles = read(root, ConfigKeys.PROMOTE_SPARE_ROLES, name);
        OverlapConfig.Promote promote = new OverlapConfig.Promote(read(root, ConfigKeys.PROMOTE_MAX_LAG, name),
                read(root, ConfigKeys.PROMOTE_VERIFY, name), read(root, ConfigKeys.PROMOTE_TIMEOUT, name),
                read(root, ConfigKeys.PROMOTE_VERIFY_INTERVAL, name), read(root, ConfigKeys.PROMOTE_REVERSE, name), spareRoles == null ? List.of() : spareRoles);
        Integer threads = read(root, ConfigKeys.SNAPSHOT_THREADS, name);
        OverlapConfig.Snapshot snapshot = new OverlapConfig.Snapshot(read(root, ConfigKeys.SNAPSHOT_MODE, name),
                threads == null ? Runtime.getRuntime().availableProcessors() : threads,
                read(root, ConfigKeys.SNAPSHOT_MAX_ROWS_PER_SECOND, name));
        return new OverlapConfig(pipeline, source, target, filter, read(root, ConfigKeys.SCHEMA, name), snapshot,
                read(root, ConfigKeys.APPLY_MAX_BATCH_ROWS, name), read(root, ConfigKeys.METRICS_LISTEN, name),
                read(root, ConfigKeys.METRICS_TLS, name),
                read(root, ConfigKeys.ADMIN_TOKEN, name), promote);
    }

    /**
     * @return the key's value: read from its node, or from its default when left out; {@code null} for an
     *         optional key without a default that is left out
     * @throws UserError when a required key is missing or its value is wrong
     */
    private <T> T read(JsonNode root, ConfigKey<T> key, String name) {
        JsonNode node = key.section().isEmpty() ? root.get(key.name()) : root.path(key.section()).get(key.name());
        String where = name + ": '" + key.path() + "'";
        if (node == null || node.isNull() || node.isValueNode() && node.asText().isBlank()) {
            if (key.required()) {
                throw new UserError(where + " is missing" + (key.path().endsWith(".password")
                        ? "; give it as ${env:NAME} or ${file:/path}" : ""));
            }
            if (key.defaultValue() == null) {
                return null;
            }
            try {
                node = YAML.readTree(key.defaultValue());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the default of " + key.path() + " is not YAML", e);
            }
        } else if (node.isObject() && !key.example().startsWith("{") || node.isArray() && !key.example().startsWith("[")) {
            throw new UserError(where + " must be a single value");
        }
        return key.reader().read(node, where, environment);
    }

    private Endpoint endpoint(JsonNode root, String role, ConfigKey<String> urlKey, ConfigKey<String> userKey,
                              ConfigKey<Secret> passwordKey, ConfigKey<Tls> tlsKey, String name) {
        if (root.path(role).isMissingNode()) {
            throw new UserError(name + ": '" + role + "' is missing; give " + role + ".url, " + role + ".user and "
                    + role + ".password");
        }
        String url = read(root, urlKey, name);
        String user = read(root, userKey, name);
        Secret password = read(root, passwordKey, name);
        Tls tls = read(root, tlsKey, name);
        try {
            return Endpoint.parse(role, url, user, password, tls);
        } catch (IllegalArgumentException e) {
            throw new UserError(name + ": " + role + ".url " + e.getMessage());
        }
    }

    /** Refuses a key no declaration names, and a section that is not a mapping. */
    private static void checkKeys(JsonNode node, String section, String name) {
        Set<String> known = new TreeSet<>();
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            if (key.section().equals(section)) {
                known.add(key.name());
            } else if (section.isEmpty()) {
                known.add(key.section());
            }
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = section.isEmpty() ? field.getKey() : section + "." + field.getKey();
            if (!known.contains(field.getKey())) {
                throw new UserError(name + ": unknown key '" + key + "'; known keys"
                        + (section.isEmpty() ? "" : " under " + section) + ": " + String.join(", ", known));
            }
            boolean isSection = section.isEmpty() && ConfigKeys.ALL.stream().anyMatch(k -> k.section().equals(field.getKey()));
            if (isSection && !field.getValue().isNull()) {
                if (!field.getValue().isObject()) {
                    throw new UserError(name + ": '" + key + "' must be a mapping of " + String.join(", ", ConfigKeys.ALL.stream()
                            .filter(k -> k.section().equals(field.getKey())).map(ConfigKey::name).toList()));
                }
                checkKeys(field.getValue(), key, name);
            }
        }
    }
}
