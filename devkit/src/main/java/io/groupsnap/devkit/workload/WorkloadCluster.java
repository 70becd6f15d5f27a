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
 *
 * <p>The workloads take part in in-place restores too ({@link WorkloadController}): they stop when the agents ask
 * their writers to, and carry on from the restored cut once every agent has started them again.
 */
public final class WorkloadCluster implements AutoCloseable {
  /** The application names the workloads subscribe with. */
  public static final String HEADER_COUNT = "header-count";
  public static final String LEDGER = "ledger";
  private static final Duration SUBSCRIBE_WAIT = Duration.ofSeconds(30);

  private final Path dataDir;
  private final DevCluster cluster;
  private final WorkloadController workloads;
  private final List<WriterClient> clients;
  /** Each agent's live volume. */
  private final Map<String, Path> volumes;

  private WorkloadCluster(Path dataDir, DevCluster cluster, WorkloadController workloads, List<WriterClient> clients,
      Map<String, Path> volumes) {
    this.volumes = Map.copyOf(volumes);
    this.dataDir = dataDir;
    this.cluster = cluster;
    this.workloads = workloads;
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
    Duration maxWait = Duration.ofSeconds(2);
    WorkloadController workloads = WorkloadController.fresh(volumes, 2, maxWait);
    DevCluster cluster = DevCluster.start(dataDir, agents, zookeeper, id -> List.of(), List.of(
        grpcWriter(HEADER_COUNT), grpcWriter(LEDGER)), volumeConfigs);
    List<WriterClient> clients = new ArrayList<>();
    try {
      for (Agent a : cluster.agents().values()) {
        Path socket = a.writerSocket().orElseThrow();
        clients.add(WriterClient.connect(socket, HEADER_COUNT,
            new GateHandler(HEADER_COUNT, workloads.headerGate(a.id()), maxWait, workloads)));
        clients.add(WriterClient.connect(socket, LEDGER,
            new GateHandler(LEDGER, workloads.ledgerGate(a.id()), maxWait, workloads)));
      }
      awaitSubscribed(cluster, clients);
    } catch (Exception e) {
      clients.forEach(WriterClient::close);
      cluster.close();
      throw e;
    }
    workloads.start();
    return new WorkloadCluster(dataDir, cluster, workloads, List.copyOf(clients), volumes);
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

  /** The header-count workload running now (a new one after each in-place restore). */
  public HeaderCountWorkload headers() {
    return workloads.headers();
  }

  /** The ledger running now (a new one, recovered from the volumes, after each in-place restore). */
  public LedgerWorkload ledger() {
    return workloads.ledger();
  }

  /** Header updates since the cluster started, over every in-place restore. */
  public long headerUpdates() {
    return workloads.headerUpdates();
  }

  /** Transfers completed since the cluster started, over every in-place restore. */
  public long transfers() {
    return workloads.transfers();
  }

  /** How many times the workloads were started again from the volumes after an in-place restore. */
  public int restarts() {
    return workloads.restarts();
  }

  /**
   * Waits until the workloads have been started again after in-place restores ({@link #restarts()} past
   * {@code restartsBefore}) and both have made progress since: a header update and a completed transfer.
   *
   * @return false when that did not happen within {@code wait}
   */
  public boolean awaitResumed(int restartsBefore, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!(workloads.restarts() > restartsBefore && workloads.headers().updates() > 0
        && workloads.ledger().transfers() > 0)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10));
    }
    return true;
  }

  /** Agent id to its live volume's directory (the same path after an in-place restore, holding the restored data). */
  public Map<String, Path> liveVolumes() {
    Map<String, Path> live = new LinkedHashMap<>();
    for (String agent : cluster.agents().keySet()) {
      live.put(agent, volumes.get(agent));
    }
    return live;
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
    return CutVerifier.verify(copies, workloads.ledger().total());
  }

  /** Removes a naive copy. */
  public static void delete(Path dir) throws IOException {
    FileTrees.delete(dir);
  }

  @Override
  public void close() throws Exception {
    clients.forEach(WriterClient::close);
    workloads.close();
    cluster.close();
  }
}
