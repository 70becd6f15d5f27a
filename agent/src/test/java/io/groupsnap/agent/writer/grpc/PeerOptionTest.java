package io.groupsnap.agent.writer.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.config.ConfigException;
import io.groupsnap.agent.config.ConfigLoader;
import io.groupsnap.agent.hub.LocalAccounts;
import io.groupsnap.agent.hub.PeerRule;
import io.groupsnap.agent.hub.SocketAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Option {@code peer} of kind grpc and the agent's {@code writerHub} settings: read, resolved, refused in one line. */
class PeerOptionTest {
  @TempDir Path tmp;
  private String base;

  @BeforeEach
  void setUp() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    base = "agentId: host-a\ninsecure: true\nsnapshotRoot: " + tmp.resolve("snaps") + "\nvolumes:\n  - name: data\n"
        + "    kind: dir\n    path: " + data + "\n";
  }

  private String writer(String peer) {
    return base + "writers:\n  - name: w1\n    kind: grpc\n    options:\n      application: orders\n"
        + (peer == null ? "" : "      peer: " + peer + "\n");
  }

  private static PeerRule rule(AgentConfig c) throws Exception {
    return new GrpcWriterKind().parse(c.writers().get(0)).peer().resolve("w1");
  }

  @Test
  void withoutPeer_onlyTheAgentsOwnUserIsAdmitted() throws Exception {
    PeerRule r = rule(ConfigLoader.parse("agent.yaml", writer(null)));
    assertThat(r.uids()).containsExactly(LocalAccounts.agentUid());
    assertThat(r.gids()).isEmpty();
    assertThat(r.executable()).isEmpty();
    assertThat(r.field()).isEqualTo("options.peer of writer w1");
    // naming only an executable keeps the default identity
    assertThat(rule(ConfigLoader.parse("agent.yaml", writer("{executable: /bin/sh}"))).uids())
        .containsExactly(LocalAccounts.agentUid());
  }

  @Test
  void usersAndGroups_areResolvedToIds_andJoinTheNumericOnes() throws Exception {
    PeerRule r = rule(ConfigLoader.parse("agent.yaml",
        writer("{users: [root], uids: [1234], groups: [root], gids: [77], executable: /bin/../bin/sh}")));
    assertThat(r.uids()).containsExactlyInAnyOrder(0, 1234);
    assertThat(r.gids()).containsExactlyInAnyOrder(0, 77);
    assertThat(r.executable()).contains(Path.of("/bin/sh"));
  }

  @Test
  void badPeerOptions_areOneLineErrorsNamingTheEntry() {
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", writer("{users: [root, no-such-user-x9]}")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("agent.yaml: writers[0].options.peer.users[1]: unknown user 'no-such-user-x9' on this host");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", writer("{groups: [no-such-group-x9]}")))
        .hasMessage("agent.yaml: writers[0].options.peer.groups[0]: unknown group 'no-such-group-x9' on this host");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", writer("{users: ['-rf']}")))
        .hasMessage("agent.yaml: writers[0].options.peer.users[0]: '-rf' is not a user name");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", writer("{uids: [-1]}")))
        .hasMessage("agent.yaml: writers[0].options.peer.uids[0]: must be a non-negative numeric id");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", writer("{uids: 0}")))
        .hasMessage("agent.yaml: writers[0].options.peer.uids: must be a list");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", writer("{user: [root]}")))
        .hasMessage("agent.yaml: writers[0].options.peer.user: unknown field (known: executable, gids, groups, uids, "
            + "users)");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", writer("root")))
        .hasMessage("agent.yaml: writers[0].options.peer: must be a mapping with any of uids, users, gids, groups, "
            + "executable");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", writer("{executable: bin/app}")))
        .hasMessage("agent.yaml: writers[0].options.peer.executable: must be an absolute path, not 'bin/app'");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", writer("{executable: " + tmp.resolve("none") + "}")))
        .hasMessage("agent.yaml: writers[0].options.peer.executable: " + tmp.resolve("none")
            + " is not an existing file");
  }

  @Test
  void anotherKindsOptions_stayStrings() {
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", base + "writers:\n  - name: w1\n    kind: exec\n"
        + "    freeze: [/bin/true]\n    thaw: [/bin/true]\n    options: {peer: {uids: [0]}}\n"))
        .hasMessageStartingWith("agent.yaml: writers[0].options.peer: ");
  }

  @Test
  void writerHubSocket_modeAndGroup_areReadAndChecked() throws Exception {
    String base = writer(null);
    assertThat(ConfigLoader.parse("agent.yaml", base).writerHub()).isEqualTo(SocketAccess.DEFAULT);
    SocketAccess a = ConfigLoader.parse("agent.yaml", base + "writerHub: {socketMode: \"0600\", socketGroup: root}\n")
        .writerHub();
    assertThat(PosixFilePermissions.toString(a.mode())).isEqualTo("rw-------");
    assertThat(a.group()).contains("root");
    assertThat(ConfigLoader.parse("agent.yaml", base + "writerHub: {socketMode: \"640\"}\n").writerHub())
        .isEqualTo(new SocketAccess(PosixFilePermissions.fromString("rw-r-----"), Optional.empty()));

    Map<String, String> bad = Map.of(
        "{socketMode: \"0666\"}", "writerHub.socketMode: 0666 grants others access: any local user could connect to "
            + "the writer hub (use 0660 with socketGroup, or 0600)",
        "{socketMode: \"0604\"}", "writerHub.socketMode: 0604 grants others access: any local user could connect to "
            + "the writer hub (use 0660 with socketGroup, or 0600)",
        "{socketMode: \"0770\"}", "writerHub.socketMode: 0770 sets execute bits; a socket needs read and write only "
            + "(0660, 0600)",
        "{socketMode: rw}", "writerHub.socketMode: 'rw' is not an octal file mode such as \"0660\"",
        "{socketMode: 0660}", "writerHub.socketMode: write the mode as a quoted octal string, e.g. \"0660\"",
        "{socketGroup: no-such-group-x9}", "writerHub.socketGroup: unknown group 'no-such-group-x9' on this host",
        "{socketOwner: root}", "writerHub.socketOwner: unknown field (known: socketGroup, socketMode)");
    for (Map.Entry<String, String> e : bad.entrySet()) {
      assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", base + "writerHub: " + e.getKey() + "\n"))
          .as(e.getKey()).isInstanceOf(ConfigException.class).hasMessage("agent.yaml: " + e.getValue());
    }
  }

  @Test
  void optionNames_includePeer() {
    assertThat(new GrpcWriterKind().options()).isEqualTo(Set.of("application", "peer"));
  }
}
