package io.groupsnap.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.common.tls.TlsFiles;
import io.groupsnap.common.tls.TransportSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secure by default: an agent serves mutual TLS unless its configuration says {@code insecure: true}. */
class TransportConfigTest {
  @TempDir Path tmp;
  Path data;
  Path root;
  Path ca;
  Path cert;
  Path key;
  Path zookeeperAuth;

  @BeforeEach
  void files() throws Exception {
    data = Files.createDirectories(tmp.resolve("data"));
    root = tmp.resolve("snapshots");
    ca = Files.writeString(tmp.resolve("ca.pem"), "PEM");
    cert = Files.writeString(tmp.resolve("agent.pem"), "PEM");
    key = Files.writeString(tmp.resolve("agent.key"), "PEM");
    zookeeperAuth = Files.writeString(tmp.resolve("zookeeper.auth"), "agents:pw\n");
    Files.setPosixFilePermissions(zookeeperAuth, PosixFilePermissions.fromString("rw-------"));
  }

  private String yaml(String transport) {
    return "agentId: host-a\nsnapshotRoot: " + root + "\nvolumes:\n  - name: data\n    kind: dir\n    path: " + data
        + "\n    options: {allowUnheld: \"true\"}\nzookeeperAuth: " + zookeeperAuth + "\n" + transport;
  }

  private String tls(String fields) {
    return "tls:\n" + fields;
  }

  private String all() {
    return "  ca: " + ca + "\n  cert: " + cert + "\n  key: " + key + "\n";
  }

  private void refused(String yaml, String message) {
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", yaml)).isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @Test
  void tlsFiles_load_asTheAgentsTransport() throws Exception {
    AgentConfig c = ConfigLoader.parse("agent.yaml", yaml(tls(all())));
    assertThat(c.transport()).isEqualTo(TransportSettings.tls(new TlsFiles(ca, cert, key)));
    assertThat(ConfigLoader.parse("agent.yaml", yaml("insecure: true\n")).transport())
        .isEqualTo(TransportSettings.plaintext());
  }

  @Test
  void tlsReloadEvery_setsHowOftenTheFilesAreReread_atLeastASecond() throws Exception {
    assertThat(ConfigLoader.parse("agent.yaml", yaml(tls(all()))).transport().reloadEvery())
        .isEqualTo(TransportSettings.RELOAD_EVERY);
    AgentConfig c = ConfigLoader.parse("agent.yaml", yaml(tls(all() + "  reloadEvery: 5s\n")));
    assertThat(c.transport()).isEqualTo(TransportSettings.tls(new TlsFiles(ca, cert, key))
        .withReloadEvery(java.time.Duration.ofSeconds(5)));
    assertThat(c.withZookeeper("zk:2181").transport().reloadEvery()).isEqualTo(java.time.Duration.ofSeconds(5));
    refused(yaml(tls(all() + "  reloadEvery: 500ms\n")), "agent.yaml: tls.reloadEvery: must be at least 1s, got 500ms");
  }

  @Test
  void neitherTlsNorInsecure_isRefused_sayingWhatToAdd() {
    refused(yaml(""), "agent.yaml: tls: required unless insecure: true (tls: {ca: FILE, cert: FILE, key: FILE}, "
        + "e.g. from groupsnap certs init)");
    refused(yaml("insecure: false\n"), "agent.yaml: tls: required unless insecure: true (tls: {ca: FILE, cert: FILE, "
        + "key: FILE}, e.g. from groupsnap certs init)");
  }

  @Test
  void aMissingTlsFile_isRefused_namingItsField() {
    String required = ": required unless insecure: true";
    refused(yaml(tls("  ca: " + ca + "\n  key: " + key + "\n")), "agent.yaml: tls.cert" + required);
    refused(yaml(tls("  cert: " + cert + "\n  key: " + key + "\n")), "agent.yaml: tls.ca" + required);
    refused(yaml(tls("  ca: " + ca + "\n  cert: " + cert + "\n")), "agent.yaml: tls.key" + required);
  }

  @Test
  void tlsTogetherWithInsecure_isAContradiction() {
    refused(yaml("insecure: true\n" + tls(all())), "agent.yaml: tls: given with insecure: true: plaintext and TLS "
        + "exclude each other, remove one");
  }

  @Test
  void badTlsValues_areRefused_withTheFieldNamed() throws Exception {
    refused(yaml(tls(all() + "  crt: /x\n")), "agent.yaml: tls.crt: unknown field (known: ca, cert, key, "
        + "reloadEvery)");
    refused(yaml(tls(all().replace(key.toString(), "agent.key"))), "agent.yaml: tls.key: 'agent.key' must be an "
        + "absolute path");
    refused(yaml("tls: " + ca + "\n"), "agent.yaml: tls: must be a mapping");
    refused(yaml("insecure: yes please\n"), "agent.yaml: insecure: must be true or false");
    Files.delete(key);
    refused(yaml(tls(all())), "agent.yaml: tls.key: " + key + " does not exist");
    refused(yaml(tls(all().replace(cert.toString(), tmp.toString()))), "agent.yaml: tls.cert: " + tmp
        + " is not a readable file");
  }

  @Test
  void aConfigBuiltInCode_mustChooseToo() {
    AgentConfig.Builder b = AgentConfig.builder("host-a", root)
        .volumes(List.of(new VolumeConfig("data", "dir", data, Map.of("allowUnheld", "true"))));
    assertThatThrownBy(() -> ConfigLoader.validate("in code", b.build()))
        .hasMessageStartingWith("in code: tls: required unless insecure: true");
    assertThatThrownBy(() -> ConfigLoader.validate("in code", b.insecure(true).tls(new TlsFiles(ca, cert, key))
        .build())).hasMessageStartingWith("in code: tls: given with insecure: true");
  }
}
