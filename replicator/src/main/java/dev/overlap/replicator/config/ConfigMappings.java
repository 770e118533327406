package dev.overlap.replicator.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.overlap.replicator.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reading a key whose value is a mapping of its own, such as {@code source.tls}: its keys, and the files it names. */
final class ConfigMappings {
    private ConfigMappings() {
    }

    /**
     * @param node the key's value
     * @param where names the key and the file in a message
     * @param known the keys the mapping may have
     * @param example a value the message shows
     * @throws UserError when the node is not a mapping or has a key besides {@code known}
     */
    static void checkKeys(JsonNode node, String where, Set<String> known, String example) {
        if (!node.isObject()) {
            throw new UserError(where + " must be a mapping such as " + example);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (!known.contains(name)) {
                throw new UserError(where + ": unknown key '" + name + "'; known keys: " + String.join(", ", new TreeSet<>(known)));
            }
        }
    }

    /** @return {@code f: 'source.tls.ca'} from {@code f: 'source.tls'} and {@code ca} */
    static String inner(String where, String name) {
        return where.endsWith("'") ? where.substring(0, where.length() - 1) + "." + name + "'" : where + "." + name;
    }

    /**
     * @param node the mapping
     * @param name the key naming a file
     * @param where names the mapping and the file in a message
     * @return the file, or {@code null} when the key is left out
     * @throws UserError when the file cannot be read
     */
    static Path file(JsonNode node, String name, String where) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        Path path = Path.of(value.asText());
        if (!Files.isReadable(path)) {
            throw new UserError(inner(where, name) + " names " + path + ", which cannot be read; check the path and its"
                    + " permissions");
        }
        return path;
    }
}
