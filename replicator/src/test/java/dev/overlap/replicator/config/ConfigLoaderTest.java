package dev.overlap.replicator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.overlap.replicator.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final String VALID = """
            pipeline: shop
            source:
              url: jdbc:postgresql://old-host:5433/shop?sslmode=require
              user: overlap
              password: ${env:SRC_PW}
            target:
              url: jdbc:postgresql://new-host/shop
              user: overlap
              password: ${env:TGT_PW}
            tables:
              include: [public.*]
              exclude: [public.sessions]
            apply:
              max-batch-rows: 500
            promote:
              max-lag: 1500ms
            """;

    private final ConfigLoader loader = new ConfigLoader(Map.of("SRC_PW", "s3cret", "TGT_PW", "t0p")::get);

    @Test
    void readsEveryKeyAndResolvesSecrets() {
        OverlapConfig config = loader.parse(VALID, "overlap.yml");

        assertThat(config.pipeline()).isEqualTo("shop");
        assertThat(config.slotName()).isEqualTo("overlap_shop");
        assertThat(config.source().host()).isEqualTo("old-host");
        assertThat(config.source().port()).isEqualTo(5433);
        assertThat(config.source().database()).isEqualTo("shop");
        assertThat(config.source().password().reveal()).isEqualTo("s3cret");
        assertThat(config.target().port()).isEqualTo(5432);
        assertThat(config.maxBatchRows()).isEqualTo(500);
        assertThat(config.snapshot().mode()).isEqualTo(OverlapConfig.SnapshotMode.INITIAL);
        assertThat(config.metricsListen().getPort()).isEqualTo(9404);
        assertThat(config.promote().maxLag()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.tables().selects("public", "orders")).isTrue();
        assertThat(config.tables().selects("public", "sessions")).isFalse();
    }

    @Test
    void secretsNeverShowInToString() {
        OverlapConfig config = loader.parse(VALID, "overlap.yml");

        assertThat(config.toString()).doesNotContain("s3cret").doesNotContain("t0p");
        assertThat(config.source().password()).hasToString("****(env:SRC_PW)");
    }

    @Test
    void readsPasswordFromFile(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("pw"), "from-file\n");
        OverlapConfig config = loader.parse(VALID.replace("${env:TGT_PW}", "${file:" + secret + "}"), "overlap.yml");

        assertThat(config.target().password().reveal()).isEqualTo("from-file");
    }

    @Test
    void rejectsUnknownKeyNamingItsPath() {
        assertThatThrownBy(() -> loader.parse(VALID.replace("max-batch-rows", "max-batch-size"), "overlap.yml"))
                .isInstanceOf(UserError.class)
                .hasMessage("overlap.yml: unknown key 'apply.max-batch-size'; known keys under apply: max-batch-rows");
    }

    @Test
    void rejectsLiteralPassword() {
        assertThatThrownBy(() -> loader.parse(VALID.replace("${env:SRC_PW}", "hunter2"), "overlap.yml"))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("'source.password' must be a reference")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void rejectsBadValues() {
        assertThatThrownBy(() -> loader.parse(VALID.replace("max-batch-rows: 500", "max-batch-rows: 0"), "f"))
                .hasMessageContaining("'apply.max-batch-rows' is '0'; use a whole number from 1 to 100000");
        assertThatThrownBy(() -> loader.parse(VALID.replace("1500ms", "soon"), "f"))
                .hasMessageContaining("'promote.max-lag' is 'soon'");
        assertThatThrownBy(() -> loader.parse(VALID.replace("pipeline: shop", "pipeline: Shop-1"), "f"))
                .hasMessageContaining("pipeline 'Shop-1' must be");
        assertThatThrownBy(() -> loader.parse(VALID.replace("jdbc:postgresql://new-host/shop", "jdbc:mysql://new-host/shop"), "f"))
                .hasMessageContaining("source is POSTGRESQL but target is MYSQL");
        assertThatThrownBy(() -> loader.parse(VALID.replace("jdbc:postgresql://new-host/shop", "postgres://new-host/shop"), "f"))
                .hasMessageContaining("target.url is not a PostgreSQL, MySQL or MariaDB JDBC URL");
        assertThatThrownBy(() -> loader.parse("pipeline: [", "f")).hasMessageStartingWith("f is not valid YAML");
    }

    @Test
    void missingFileIsAUserError(@TempDir Path dir) {
        assertThatThrownBy(() -> new ConfigLoader().load(dir.resolve("nope.yml")))
                .isInstanceOf(UserError.class).hasMessageContaining("does not exist");
    }

    @Test
    void readsTlsAndChecksItsFiles() {
        Path ca = Path.of("src/test/resources/tls/ca.pem");
        Path key = Path.of("src/test/resources/tls/client.key");
        String tls = "  tls: {mode: verify-full, ca: %s, cert: %s, key: %s}\ntarget:".formatted(ca, ca, key);
        OverlapConfig config = loader.parse(VALID.replace("?sslmode=require", "").replaceFirst("target:", tls), "f");

        assertThat(config.source().tls()).isEqualTo(new Tls(Tls.Mode.VERIFY_FULL, ca, ca, key));
        assertThat(config.target().tls()).isNull();

        assertThatThrownBy(() -> loader.parse(VALID.replaceFirst("target:", tls), "f"))
                .hasMessage("f: source.url carries TLS options, and source.tls is given too; give them in source.tls only,"
                        + " which every connection of the source uses");
        assertThatThrownBy(() -> loader.parse(VALID.replaceFirst("target:", "  tls: {mode: verify}\ntarget:"), "f"))
                .hasMessage("f: 'source.tls.mode' is 'verify'; use one of disable, require, verify-ca, verify-full"
                        + " (verify-full between hosting providers)");
        assertThatThrownBy(() -> loader.parse(VALID.replaceFirst("target:", "  tls: {mode: require, cert: %s}\ntarget:"
                .formatted(ca)), "f")).hasMessage("f: 'source.tls': give both cert and key for a client certificate, or neither");
        assertThatThrownBy(() -> loader.parse(VALID.replaceFirst("target:", "  tls: {mode: verify-ca, ca: %s}\ntarget:"
                .formatted(key)), "f")).hasMessage("f: 'source.tls.ca' names " + key + ", which holds no PEM certificate (BEGIN CERTIFICATE)");
        assertThatThrownBy(() -> loader.parse(VALID.replaceFirst("target:", "  tls: {mode: verify-ca, ca: /nope.pem}\ntarget:"), "f"))
                .hasMessage("f: 'source.tls.ca' names /nope.pem, which cannot be read; check the path and its permissions");
        assertThatThrownBy(() -> loader.parse(VALID.replaceFirst("target:", "  tls: {mode: require, sslmode: x}\ntarget:"), "f"))
                .hasMessage("f: 'source.tls': unknown key 'sslmode'; known keys: ca, cert, key, mode");
    }
}
