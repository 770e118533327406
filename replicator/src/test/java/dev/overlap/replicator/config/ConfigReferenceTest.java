package dev.overlap.replicator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration reference is what the key declarations render, key for key. */
class ConfigReferenceTest {

    @Test
    void readmeReferenceIsTheDeclaredKeys() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int section = readme.indexOf("## Configuration reference");
        assertThat(section).as("the README's configuration reference section").isPositive();
        int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
        int end = readme.indexOf("```", start);
        assertThat(readme.substring(start, end))
                .as("README's reference; paste ConfigKeys.reference() there after changing a key")
                .isEqualTo(ConfigKeys.reference());
    }

    @Test
    void theReferenceParsesWithEveryKeyKnown() {
        OverlapConfig config = new ConfigLoader(name -> "secret").parse(ConfigKeys.reference()
                .replace("${file:/run/secrets/target}", "${env:TARGET}")
                .replaceAll("/etc/overlap/[a-z-]+-ca.pem|/etc/overlap/overlap.crt", "src/test/resources/tls/ca.pem")
                .replace("/etc/overlap/overlap.key", "src/test/resources/tls/client.key"), "reference");
        assertThat(config.maxBatchRows()).isEqualTo(2048);
        assertThat(config.promote().spareRoles()).containsExactly("monitoring");
        assertThat(config.target().tls().mode()).isEqualTo(Tls.Mode.VERIFY_FULL);
        assertThat(config.daemonUri("/status")).hasScheme("https");
    }
}
