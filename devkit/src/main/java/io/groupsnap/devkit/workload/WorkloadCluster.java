package io.groupsnap.devkit.workload;

import io.groupsnap.agent.Agent;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.devkit.FileTrees;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.writer.client.WriterClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link DevCluster} whose agents run both demo workloads on their {@code data} volumes, each workload taking part
 * as a writer the way a real application does: every agent's configuration declares two writers of kind
 * {@code grpc} ({@value #HEADER_COUNT} and {@value #LEDGER}), and each workload subscribes to every agent's socket
 * through the writer client library. Offers what the demo and the tests need: a naive copy of every volume, and the
 * verification of a group snapshot's captures as one cut.
 */
public final class WorkloadCluster implements AutoCloseable {
  /** The application names the workloads subscribe with. */
  public static final String HEADER_COUNT = "header-count";
  public static final String LEDGER = "ledger";
  private static final Duration SUBSCRIBE_WAIT = Duration.ofSeconds(30);

  private final Path dataDir;
  private final DevCluster cluster;
  private final HeaderCountWorkload headers;
  private final LedgerWorkload ledger;
  private final List<WriterClient> clients;
  /** Each agent's live volume. */
  private final Map<String, Path> volumes;

  private WorkloadCluster(Path dataDir, DevCluster cluster, HeaderCountWorkload headers, LedgerWorkload ledger,
      List<WriterClient> clients, Map<String, Path> volumes) {
    this.volumes = Map.copyOf(volumes);
    this.dataDir = dataDir;
    this.cluster = cluster;
    this.headers = headers;
    this.ledger = ledger;
    this.clients = clients;
  }

  /** @param zookeeper an existing ZooKeeper, or null to embed one */
  public static WorkloadCluster start(Path dataDir, int agents, String zookeeper) throws Exception {
    return start(dataDir, agents, zookeeper, Map.of());
  }

  /**
   * @param volumeConfigs the agents' volumes by agent id (e.g. btrfs subvolumes); others get a {@code dir} volume
   */
  public static WorkloadCluster start(Path dataDir, int agents, String zookeeper,
      Map<String, io.groupsnap.agent.kinds.VolumeConfig> volumeConfigs) throws Exception {
    Map<String, Path> volumes = new LinkedHashMap<>();
    for (int i = 1; i <= agents; i++) {
      String id = "agent-" + i;
      Path v = volumeConfigs.containsKey(id) ? volumeConfigs.get(id).path() : DevCluster.volumeDir(dataDir, id);
      Files.createDirectories(v);
      volumes.put(id, v);
    }
    HeaderCountWorkload headers = new HeaderCountWorkload(volumes);
    LedgerWorkload ledger = new LedgerWorkload(volumes);
    Duration maxWait = Duration.ofSeconds(2);
    DevCluster cluster = DevCluster.start(dataDir, agents, zookeeper, id -> List.of(), List.of(
        grpcWriter(HEADER_COUNT), grpcWriter(LEDGER)), volumeConfigs);
    List<WriterClient> clients = new ArrayList<>();
    try {
      for (Agent a : cluster.agents().values()) {
        Path socket = a.writerSocket().orElseThrow();
        clients.add(WriterClient.connect(socket, HEADER_COUNT,
            new GateHandler(HEADER_COUNT, headers.gate(a.id()), maxWait)));
        clients.add(WriterClient.connect(socket, LEDGER, new GateHandler(LEDGER, ledger.gate(a.id()), maxWait)));
      }
      awaitSubscribed(cluster, clients);
    } catch (Exception e) {
      clients.forEach(WriterClient::close);
      cluster.close();
      throw e;
    }
    headers.start();
    ledger.start(2);
    return new WorkloadCluster(dataDir, cluster, headers, ledger, List.copyOf(clients), volumes);
  }

  private static WriterConfig grpcWriter(String application) {
    return new WriterConfig(application, "grpc", 0, Set.of(), Duration.ofSeconds(5),
        Map.of("application", application));
  }

  /** Until every agent's hub has both workloads connected: a snapshot before that would be refused. */
  private static void awaitSubscribed(DevCluster cluster, List<WriterClient> clients) throws Exception {
    long deadline = System.nanoTime() + SUBSCRIBE_WAIT.toNanos();
    for (Agent a : cluster.agents().values()) {
      for (String app : List.of(HEADER_COUNT, LEDGER)) {
        while (!a.isWriterConnected(app)) {
          if (System.nanoTime() > deadline) {
            String why = clients.stream().map(WriterClient::lastError).filter(e -> !e.isEmpty()).findFirst()
                .orElse("no error reported");
            throw new IOException("workload " + app + " did not subscribe to agent " + a.id() + " at "
                + a.writerSocket().orElseThrow() + " within " + SUBSCRIBE_WAIT.toSeconds() + "s: " + why);
          }
          java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10));
        }
      }
    }
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
      FileTrees.copy(volumes.get(agent), to);
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

  /** Removes a naive copy. */
  public static void delete(Path dir) throws IOException {
    FileTrees.delete(dir);
  }

  @Override
  public void close() throws Exception {
    clients.forEach(WriterClient::close);
    headers.close();
    ledger.close();
    cluster.close();
  }
}
