package io.groupsnap.cli.workload;

import io.groupsnap.common.Daemons;
import io.groupsnap.agent.volume.DirVolume;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.cli.dev.DevCluster;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.MemberRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

/**
 * A {@link DevCluster} whose agents run both demo workloads on their {@code data} volumes, each workload taking part
 * as a writer. Offers what the demo and the tests need: a naive copy of every volume, and the verification of a
 * group snapshot's captures as one cut.
 */
public final class WorkloadCluster implements AutoCloseable {
  private final Path dataDir;
  private final DevCluster cluster;
  private final HeaderCountWorkload headers;
  private final LedgerWorkload ledger;
  private final ScheduledExecutorService timer;

  private WorkloadCluster(Path dataDir, DevCluster cluster, HeaderCountWorkload headers, LedgerWorkload ledger,
      ScheduledExecutorService timer) {
    this.dataDir = dataDir;
    this.cluster = cluster;
    this.headers = headers;
    this.ledger = ledger;
    this.timer = timer;
  }

  /** @param zookeeper an existing ZooKeeper, or null to embed one */
  public static WorkloadCluster start(Path dataDir, int agents, String zookeeper) throws Exception {
    Map<String, Path> volumes = new LinkedHashMap<>();
    for (int i = 1; i <= agents; i++) {
      Path v = DevCluster.volumeDir(dataDir, "agent-" + i);
      Files.createDirectories(v);
      volumes.put("agent-" + i, v);
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Daemons.named("workload-lease-timer"));
    HeaderCountWorkload headers = new HeaderCountWorkload(volumes);
    LedgerWorkload ledger = new LedgerWorkload(volumes);
    Duration maxWait = Duration.ofSeconds(2);
    DevCluster cluster;
    try {
      cluster = DevCluster.start(dataDir, agents, zookeeper, id -> List.<Writer>of(
          new GateWriter("header-count", headers.gate(id), timer, maxWait),
          new GateWriter("ledger", ledger.gate(id), timer, maxWait)));
    } catch (Exception e) {
      timer.shutdownNow();
      throw e;
    }
    headers.start();
    ledger.start(2);
    return new WorkloadCluster(dataDir, cluster, headers, ledger, timer);
  }

  public DevCluster cluster() {
    return cluster;
  }

  public HeaderCountWorkload headers() {
    return headers;
  }

  public LedgerWorkload ledger() {
    return ledger;
  }

  /** Copies every agent's volume, one after another, while the workloads run: what an image backup does. */
  public Map<String, Path> naiveCopy(Path into) throws IOException {
    Map<String, Path> copies = new LinkedHashMap<>();
    for (String agent : cluster.agents().keySet()) {
      Path to = into.resolve(agent);
      copyTree(DevCluster.volumeDir(dataDir, agent), to);
      copies.put(agent, to);
    }
    return copies;
  }

  /** Verifies the captures of a committed group snapshot as one cut of both workloads. */
  public CutVerifier.Report verify(GroupSnapshot g) {
    Map<String, Path> copies = new LinkedHashMap<>();
    for (MemberRecord m : g.getMembersList()) {
      copies.put(m.getAgentId(), Path.of(m.getSnapshotPath()));
    }
    return CutVerifier.verify(copies, ledger.total());
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path dest = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** Removes a naive copy. */
  public static void delete(Path dir) throws IOException {
    DirVolume.deleteTree(dir);
  }

  @Override
  public void close() throws Exception {
    headers.close();
    ledger.close();
    cluster.close();
    timer.shutdownNow();
  }
}
