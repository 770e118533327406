package dev.overlap.replicator.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.overlap.replicator.UserError;
import java.util.function.Function;

/**
 * One key of {@code overlap.yml}, declared once (as Debezium declares its {@code Field}s): its dotted path,
 * an example value, its default, its description, and how its value is read and checked. The
 * {@link ConfigLoader} reads every key through its declaration, and the README's configuration reference is
 * {@link ConfigKeys#reference()}, which a test holds the README to.
 *
 * @param <T> the type of the value
 * @param path the dotted path, e.g. {@code apply.max-batch-rows}
 * @param example the value the reference shows, as YAML text
 * @param defaultValue the value of a key left out, as YAML text, or {@code null} for a key that has none
 *        (required, or absent meaning off)
 * @param required whether the key must be given
 * @param description what the key means, for the reference; lines after the first continue it
 * @param reader turns the key's YAML node into its value, checking it
 */
public record ConfigKey<T>(String path, String example, String defaultValue, boolean required, String description,
                           Reader<T> reader) {

    /** Reads one key's value. */
    @FunctionalInterface
    public interface Reader<T> {
        /**
         * @param node the key's YAML node; for a key left out, its default parsed as YAML, or {@code null}
         * @param where names the key and the file in a message: {@code overlap.yml: 'apply.max-batch-rows'}
         * @param secrets resolves {@code ${env:…}} and {@code ${file:…}} references
         * @return the value
         * @throws UserError naming the key, the problem and the fix
         */
        T read(JsonNode node, String where, Function<String, String> secrets);
    }

    /** @return the last part of the path, the key's name within its section */
    public String name() {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    /** @return the section the key belongs to, e.g. {@code apply}, or the empty string for a top-level key */
    public String section() {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(0, dot);
    }
}
