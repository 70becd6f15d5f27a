package io.groupsnap.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.agent.hub.SocketAccess;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.tls.TlsFiles;
import io.groupsnap.common.tls.TransportSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
  @TempDir Path tmp;

  @Test
  void builder_withOnlyIdRootAndVolumes_equalsWhatAMinimalAgentYamlLoadsTo() throws Exception {
    Path data = Files.createDirectories(tmp.toRealPath().resolve("data"));
    Path root = tmp.toRealPath().resolve("snapshots");
    AgentConfig loaded = ConfigLoader.parse("agent.yaml", "agentId: host-a\nsnapshotRoot: " + root
        + "\nvolumes:\n  - name: data\n    kind: dir\n    path: " + data + "\n    options: {allowUnheld: \"true\"}\n"
        + "insecure: true\n");

    AgentConfig built = AgentConfig.builder("host-a", root)
        .volumes(List.of(new VolumeConfig("data", "dir", data, Map.of("allowUnheld", "true"))))
        .insecure(true)
        .build();

    assertThat(built).isEqualTo(loaded);
  }

  @Test
  void builder_setsEveryField_andKeepsAnExplicitStateDir() {
    Path root = tmp.resolve("snapshots");
    VolumeConfig volume = new VolumeConfig("data", "dir", tmp.resolve("data"), Map.of());
    TlsFiles tls = new TlsFiles(tmp.resolve("ca.pem"), tmp.resolve("a1.pem"), tmp.resolve("a1.key"));
    WriterConfig writer = new WriterConfig("app", "grpc", 1, Set.of("data"), Duration.ofSeconds(5),
        Map.of("application", "app"));

    AgentConfig c = AgentConfig.builder("a1", root).cluster("prod").listen(new HostPort("127.0.0.1", 0))
        .advertise(new HostPort("10.0.0.1", 7400)).zookeeper("zk:2181").stateDir(tmp.resolve("state"))
        .maxFreezeLease(Duration.ofSeconds(9)).labels(Map.of("rack", "r1")).volumes(List.of(volume))
        .writers(List.of(writer)).reaper(Duration.ofSeconds(3), Duration.ofMinutes(7))
        .volumeRoots(List.of(tmp)).checksumCaptures(true).zookeeperSessionTimeout(Duration.ofSeconds(30))
        .tls(tls).metricsListen(new HostPort("127.0.0.1", 9465)).build();

    assertThat(c).isEqualTo(new AgentConfig("a1", "prod", new HostPort("127.0.0.1", 0), new HostPort("10.0.0.1", 7400),
        "zk:2181", root, tmp.resolve("state"), Duration.ofSeconds(9), Map.of("rack", "r1"), List.of(volume),
        List.of(writer), Duration.ofSeconds(3), Duration.ofMinutes(7), List.of(tmp), true, Duration.ofSeconds(30),
        null, SocketAccess.DEFAULT, tls, false, TransportSettings.RELOAD_EVERY, new HostPort("127.0.0.1", 9465),
        io.groupsnap.agent.export.ExportsConfig.NONE, List.of()));
  }
}
