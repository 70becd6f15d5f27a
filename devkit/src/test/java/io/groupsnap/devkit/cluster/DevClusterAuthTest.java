package io.groupsnap.devkit.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.common.zkauth.ZkCredentials;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dev cluster on its own ZooKeeper runs with ZooKeeper credentials made in its data directory, names the agents'
 * file in dev.env for the CLI, commits group snapshots, and on a later run over the same data reuses the credentials
 * its nodes are protected with.
 */
class DevClusterAuthTest {
  @TempDir Path tmp;

  @Test
  void embeddedDevCluster_runsWithCredentials_andReusesThemOnTheNextRun() throws Exception {
    String agentsLine;
    try (DevCluster cluster = DevCluster.start(tmp, 2, null, id -> List.of());
        CoordinatorSession session = cluster.session()) {
      DevCredentials creds = cluster.credentials();
      for (Path f : List.of(creds.coordinatorFile(), creds.agentsFile())) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
      }
      assertThat(ZkCredentials.load(creds.coordinatorFile()).users()).containsExactly("coordinator", "agents");
      assertThat(ZkCredentials.load(creds.agentsFile()).users()).containsExactly("agents");
      assertThat(Files.readAllLines(cluster.writeEnv()))
          .contains("GROUPSNAP_ZOOKEEPER_AUTH=" + creds.agentsFile().toAbsolutePath());
      assertThat(session.create().getState()).isEqualTo(GroupSnapshotState.COMMITTED);
      agentsLine = Files.readString(creds.agentsFile());
    }
    try (DevCluster again = DevCluster.start(tmp, 2, null, id -> List.of());
        CoordinatorSession session = again.session()) {
      assertThat(Files.readString(again.credentials().agentsFile())).isEqualTo(agentsLine);
      assertThat(session.create().getState()).isEqualTo(GroupSnapshotState.COMMITTED);
    }
  }
}
