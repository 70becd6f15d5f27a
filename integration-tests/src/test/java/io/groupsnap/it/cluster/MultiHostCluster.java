package io.groupsnap.it.cluster;

import static org.awaitility.Awaitility.await;

import io.groupsnap.common.LeaderLookup;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc.CoordinatorServiceBlockingStub;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real groupsnap cluster on one machine: a ZooKeeper ensemble of separate processes, coordinators and agents as
 * separate JVMs, every process in its own network namespace on one bridge ({@link Network}), every agent host running
 * its application ({@link WorkloadNode}). Faults: kill -9 and restart any process, pause and resume it, cut a host off
 * and heal it. Secure as a production cluster: mutual TLS on every gRPC hop and ZooKeeper digest credentials, all
 * made for the cluster at its start ({@link ClusterSecurity}); the test calls coordinators as an admin.
 *
 * <p>Build it with {@link #builder()}, start it with {@link #start()} (usually through {@link ClusterExtension}, which
 * reports and tears down on failure). {@link #close()} always removes every process, namespace and link, also from a
 * JVM shutdown hook if the test JVM is stopped. Lifecycle {@code NEW → STARTED → CLOSED}. Driven by one test thread;
 * {@link #close()} and {@link #report} may be called from any thread, also while {@link #start()} runs.
 */
public final class MultiHostCluster implements AutoCloseable {
  public static final String CLUSTER = "harness";
  public static final int COORDINATOR_PORT = 7300;

  private final Builder config;
  private final Path workDir;
  private final ZkLayout layout = new ZkLayout(CLUSTER);
  private final List<ManagedProcess> coordinators = new CopyOnWriteArrayList<>();
  private final List<AgentHost> agents = new CopyOnWriteArrayList<>();
  private final Thread shutdownHook = new Thread(this::closeQuietly, "multihost-cluster-teardown");
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Network network;
  private volatile ClusterSecurity security;
  private volatile LeaderClient rpc;
  private volatile ZooKeeperEnsemble zookeeper;
  private volatile CuratorFramework zk;
  private volatile Duration startupTime;

  private MultiHostCluster(Builder config) {
    this.config = config;
    this.workDir = config.workDir.toAbsolutePath();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** How the cluster is made; defaults: 3 ZooKeeper servers, 2 coordinators, 3 agents. */
  public static final class Builder {
    private int zookeeperServers = 3;
    private int coordinators = 2;
    private int agents = 3;
    private Path workDir;
    private Duration startTimeout = Duration.ofSeconds(90);
    private java.util.function.BiFunction<Integer, Path, HostVolume> volumes;
    private boolean insecure;
    private boolean exports;
    private final List<String> coordinatorFlags = new ArrayList<>();

    /**
     * Every agent gets an export target {@value AgentHost#EXPORT_TARGET}: a restic repository of its own in its
     * host directory ({@link AgentHost#resticRepository()}), with a password file only root may read.
     */
    public Builder exports() {
      exports = true;
      return this;
    }

    /** More command-line flags for every coordinator (e.g. short intervals). */
    public Builder coordinatorFlags(String... flags) {
      coordinatorFlags.addAll(List.of(flags));
      return this;
    }

    /**
     * Plaintext gRPC ({@code --insecure}, {@code insecure: true}) and ZooKeeper without credentials or ACLs, for a
     * test that needs the cluster open; by default every daemon runs with mutual TLS and ZooKeeper credentials.
     */
    public Builder insecure() {
      insecure = true;
      return this;
    }

    /**
     * The volume of each agent host, from its index and its directory; by default a {@code dir} volume in the host's
     * directory.
     */
    public Builder volumes(java.util.function.BiFunction<Integer, Path, HostVolume> byHost) {
      volumes = byHost;
      return this;
    }

    public Builder agents(int n) {
      if (n < 2 || n > 50) {
        throw new IllegalArgumentException("agents " + n + " is outside 2..50 (the ledger needs two accounts)");
      }
      agents = n;
      return this;
    }

    public Builder coordinators(int n) {
      if (n < 1 || n > 9) {
        throw new IllegalArgumentException("coordinators " + n + " is outside 1..9");
      }
      coordinators = n;
      return this;
    }

    public Builder zookeeperServers(int n) {
      zookeeperServers = n;
      return this;
    }

    /** Where configurations, data, captures and logs go; required. */
    public Builder workDir(Path dir) {
      workDir = dir;
      return this;
    }

    public Builder startTimeout(Duration d) {
      startTimeout = d;
      return this;
    }

    public MultiHostCluster build() {
      if (workDir == null) {
        throw new IllegalStateException("workDir is required");
      }
      return new MultiHostCluster(this);
    }
  }

  /** Creates the network and starts every process; returns once every agent is registered and a leader is known. */
  public MultiHostCluster start() throws Exception {
    if (closed.get() || !started.compareAndSet(false, true)) {
      throw new IllegalStateException("start() may be called once, before close()");
    }
    long t0 = System.nanoTime();
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    Files.createDirectories(workDir);
    Path hook = resource("workload-hook.sh", true);
    Path logback = resource("logback-child.xml", false);
    network = Network.create();
    zookeeper = ZooKeeperEnsemble.create(network, workDir, logback, config.zookeeperServers);
    zookeeper.start();
    Map<String, Netns> coordinatorHosts = new LinkedHashMap<>();
    for (int i = 1; i <= config.coordinators; i++) {
      coordinatorHosts.put("coordinator-" + i, network.addHost("coord" + i, 20 + i));
    }
    Map<Integer, Netns> hosts = new LinkedHashMap<>();
    Map<String, Netns> agentHosts = new LinkedHashMap<>();
    for (int i = 1; i <= config.agents; i++) {
      hosts.put(i, network.addHost(WorkloadNode.name(i), 100 + i));
      agentHosts.put(WorkloadNode.name(i), hosts.get(i));
    }
    long issuing = System.nanoTime();
    security = config.insecure ? ClusterSecurity.none()
        : ClusterSecurity.issue(workDir, coordinatorHosts, agentHosts); // while ZooKeeper starts
    System.out.printf("cluster credentials: %s (%dms)%n", config.insecure ? "none, insecure"
        : "certificates by certs init, ZooKeeper digest users", (System.nanoTime() - issuing) / 1_000_000);
    rpc = new LeaderClient(this::leaderEndpoint, security.admin());
    zookeeper.awaitQuorum(config.startTimeout);
    zk = ZkClients.connect(zookeeper.connectString(), Duration.ofSeconds(20), ZkClients.SESSION_TIMEOUT,
        security.zookeeperReader());
    coordinatorHosts.forEach((name, ns) -> coordinators.add(coordinator(name, ns, logback)));
    for (int i = 1; i <= config.agents; i++) {
      agents.add(AgentHost.create(i, hosts, workDir, hook, logback, CLUSTER, zookeeper.connectString(),
          config.volumes, security, config.exports));
    }
    for (ManagedProcess p : processes()) {
      if (closed.get()) {
        throw new IllegalStateException("closed while starting");
      }
      if (p.state() == ManagedProcess.State.NEW) {
        p.start();
      }
    }
    await("every agent registered, every workload ready and a leader elected").atMost(config.startTimeout)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> registeredAgents().size() == agents.size() && agents.stream().allMatch(AgentHost::workloadReady)
            && leaderEndpoint().isPresent());
    startupTime = Duration.ofNanos(System.nanoTime() - t0);
    return this;
  }

  /** A coordinator process (not started) serving at its host's address, with its certificate and credentials. */
  private ManagedProcess coordinator(String name, Netns ns, Path logback) {
    String endpoint = ns.address() + ":" + COORDINATOR_PORT;
    List<String> args = new ArrayList<>(List.of("coordinator", "--zookeeper", zookeeper.connectString(),
        "--listen", endpoint, "--advertise", endpoint, "--cluster", CLUSTER));
    args.addAll(security.coordinatorFlags(name));
    args.addAll(config.coordinatorFlags);
    return new ManagedProcess(name, ns, ChildJvm.command(logback,
        List.of("-Dgroupsnap.failpoints.file=" + failpointFile(name)), "io.groupsnap.cli.Groupsnap", args),
        Map.of(), workDir.resolve(name + ".log"));
  }

  private Path resource(String name, boolean executable) throws IOException {
    Path to = workDir.resolve(name);
    try (InputStream in = MultiHostCluster.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("test resource " + name + " is missing");
      }
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
    if (executable) {
      Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return to;
  }

  /** The file a process re-reads its failpoints from (see io.groupsnap.common.SystemFaultPoints). */
  Path failpointFile(String processName) {
    return workDir.resolve(processName + ".failpoints");
  }

  /**
   * Arms failpoints in a running coordinator or agent process, e.g. {@code coordinator.after-all-frozen=halt}; an
   * empty spec disarms them.
   */
  public void failpoints(ManagedProcess process, String spec) throws IOException {
    Path f = failpointFile(process.name());
    Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
    Files.writeString(tmp, spec + "\n" + "#".repeat((int) (System.nanoTime() % 7)));
    Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  // ---- accessors ----

  /** From the start of {@link #start()} until the cluster was usable. */
  public Duration startupTime() {
    return startupTime;
  }

  public Path workDir() {
    return workDir;
  }

  public Network network() {
    return network;
  }

  /** The cluster's certificates and ZooKeeper credentials (known once {@link #start()} made them). */
  public ClusterSecurity security() {
    return security;
  }

  public ZooKeeperEnsemble zookeeper() {
    return zookeeper;
  }

  /** This test's own ZooKeeper client (for checks that must not depend on a coordinator). */
  public CuratorFramework zk() {
    return zk;
  }

  public ZkLayout layout() {
    return layout;
  }

  public List<ManagedProcess> coordinators() {
    return List.copyOf(coordinators);
  }

  public List<AgentHost> agents() {
    return List.copyOf(agents);
  }

  /** The agent host with this index (1-based). */
  public AgentHost agent(int index) {
    return agents.get(index - 1);
  }

  /** Every process: ZooKeeper servers, coordinators, agents, workloads. */
  public List<ManagedProcess> processes() {
    List<ManagedProcess> all = new ArrayList<>();
    if (zookeeper != null) {
      all.addAll(zookeeper.servers());
    }
    all.addAll(coordinators);
    agents.forEach(a -> all.add(a.agent()));
    agents.forEach(a -> all.add(a.workload()));
    return all;
  }

  /** Agent ids registered in ZooKeeper now. */
  public List<String> registeredAgents() throws Exception {
    try {
      return zk.getChildren().forPath(layout.agents()).stream().sorted().toList();
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    }
  }

  /** The leading coordinator's endpoint as ZooKeeper shows it. */
  public Optional<String> leaderEndpoint() throws Exception {
    return LeaderLookup.leader(zk, layout);
  }

  /** The coordinator process behind an endpoint. */
  public Optional<ManagedProcess> coordinatorAt(String endpoint) {
    return coordinators.stream().filter(c -> endpoint.equals(c.host().address() + ":" + COORDINATOR_PORT))
        .findFirst();
  }

  /** A stub to whichever coordinator leads now (waits a bounded time for one). */
  public CoordinatorServiceBlockingStub leader() {
    return rpc().leader();
  }

  /** The channel to whichever coordinator leads now, for GroupService, BackupService and ScheduleService stubs. */
  public io.grpc.ManagedChannel leaderChannel() {
    return rpc().leaderChannel();
  }

  /**
   * Makes {@code call} through the leader ({@link #leaderChannel()}), trying again for up to 90 s while leadership
   * moves (UNAVAILABLE, DEADLINE_EXCEEDED, NOT_LEADER); any other failure is thrown at once.
   */
  public <T> T throughLeader(java.util.concurrent.Callable<T> call) {
    java.util.concurrent.atomic.AtomicReference<T> out = new java.util.concurrent.atomic.AtomicReference<>();
    await("a call through the leader").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
        .ignoreExceptionsMatching(MultiHostCluster::leadershipMoving).until(() -> {
          out.set(call.call());
          return true;
        });
    return out.get();
  }

  private static boolean leadershipMoving(Throwable t) {
    if (!(t instanceof io.grpc.StatusRuntimeException s)) {
      return false;
    }
    String d = String.valueOf(s.getStatus().getDescription());
    return s.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE
        || s.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED
        || s.getStatus().getCode() == io.grpc.Status.Code.FAILED_PRECONDITION && d.startsWith("NOT_LEADER");
  }

  /** A stub to one coordinator endpoint (channels are cached and closed with the cluster). */
  public CoordinatorServiceBlockingStub stub(String endpoint) {
    return rpc().stub(endpoint);
  }

  /** Takes one group snapshot of every registered agent through the leader and returns its final record. */
  public GroupSnapshot snapshot() {
    return snapshot(CreateGroupSnapshotRequest.getDefaultInstance());
  }

  /**
   * Runs one group snapshot to its end through the current leader, retrying (bounded) while no coordinator is ready
   * to lead; returns its final record, committed or aborted.
   */
  public GroupSnapshot snapshot(CreateGroupSnapshotRequest request) {
    return rpc().snapshot(request);
  }

  private LeaderClient rpc() {
    LeaderClient c = rpc;
    if (c == null) {
      throw new IllegalStateException("the cluster is not started");
    }
    return c;
  }

  /**
   * Takes group snapshots with {@code request} until one commits with every agent as a member, within {@code within},
   * and returns it with the attempts it took. Every aborted attempt's reason is printed, and listed in the failure when none commits. For a
   * test's healthy baseline and its recovery after a fault: on a loaded machine a short freeze timeout can abort a
   * cold first attempt, which says nothing about the guarantees under test (those are checked on every record).
   */
  public Committed awaitCommitted(CreateGroupSnapshotRequest request, Duration within) {
    long t0 = System.nanoTime();
    List<String> aborted = new ArrayList<>();
    AtomicReference<GroupSnapshot> last = new AtomicReference<>();
    try {
      await("a committed group snapshot of every agent").atMost(within).pollInterval(Duration.ofMillis(500))
          .until(() -> {
            GroupSnapshot g = snapshot(request);
            last.set(g);
            if (g.getState() == GroupSnapshotState.COMMITTED && g.getMembersCount() == agents.size()) {
              return true;
            }
            String why = g.getId() + " " + g.getState() + " with " + g.getMembersCount() + " member(s): "
                + g.getAbortReason() + (g.getAbortMember().isEmpty() ? "" : " (member " + g.getAbortMember() + ")");
            System.out.println("attempt not committed: " + why);
            aborted.add(why);
            return false;
          });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("no group snapshot committed with all " + agents.size() + " agents within " + within
          + "; attempts: " + aborted, e);
    }
    return new Committed(last.get(), aborted.size() + 1, Duration.ofNanos(System.nanoTime() - t0));
  }

  /** A group snapshot {@link #awaitCommitted} saw commit, after how many attempts and how long. */
  public record Committed(GroupSnapshot snapshot, int attempts, Duration took) {
    @Override
    public String toString() {
      return "committed " + snapshot.getId() + " after " + took.toMillis() + "ms and " + attempts + " attempt(s)";
    }
  }

  // ---- faults ----

  /** Cuts a host ({@code zk1}, {@code coord2}, {@code agent-3}, ...) off the network. */
  public void cutOff(String hostName) {
    network.cutOff(network.host(hostName));
  }

  public void heal(String hostName) {
    network.heal(network.host(hostName));
  }

  /**
   * Kills an agent (kill -9) and starts it again once ZooKeeper has expired its old registration (an agent refuses
   * to start while its id is still registered by another session); returns when the new process is registered.
   */
  public void restartAgent(int index) throws Exception {
    AgentHost a = agent(index);
    a.agent().kill();
    long killedAt = System.currentTimeMillis();
    Duration wait = ZkClients.SESSION_TIMEOUT.plusSeconds(20);
    await(a.id() + "'s old registration to expire").atMost(wait).pollInterval(Duration.ofMillis(200))
        .until(() -> !registeredAgents().contains(a.id()));
    a.agent().start();
    await(a.id() + " registered again").atMost(wait).pollInterval(Duration.ofMillis(200))
        .until(() -> registration(a.id()).map(r -> r.getStartedAtMillis() >= killedAt).orElse(false));
  }

  /**
   * Puts a cluster a test has finished with back to how {@link #start()} left it, for the next test of the same class
   * ({@link ClusterExtension#shared}): every host healed, every failpoint and slow freeze disarmed, every process
   * that a test killed (ZooKeeper server, coordinator, agent, workload) started again (an agent once ZooKeeper has expired its old registration), then waits until
   * every agent is registered by a live process with no hold open, every workload answers, a leader acts, every
   * transaction is final and no capture is left that no committed group snapshot owns (G3): the next test sees no
   * trace of this one but committed group snapshots.
   *
   * @throws Exception when that state is not reached within {@code within}: the caller closes the cluster
   */
  public void resetForNextTest(Duration within) throws Exception {
    for (Netns ns : network.hosts()) {
      if (network.isCutOff(ns)) {
        network.heal(ns);
      }
    }
    for (ManagedProcess z : zookeeper.servers()) {
      if (!z.isAlive()) {
        z.start();
      }
    }
    zookeeper.awaitQuorum(within);
    for (ManagedProcess p : coordinators) {
      failpoints(p, "");
      if (!p.isAlive()) {
        p.start();
      }
    }
    for (AgentHost a : agents) {
      failpoints(a.agent(), "");
      if (!a.workload().isAlive()) {
        a.workload().start();
      }
      if (!a.agent().isAlive()) {
        await(a.id() + "'s old registration to expire").atMost(within).pollInterval(Duration.ofMillis(200))
            .until(() -> !registeredAgents().contains(a.id()));
        a.agent().start();
      }
    }
    await("every agent registered with no hold open, every workload ready, a leader acting").atMost(within)
        .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> registeredAgents().size() == agents.size() && agents.stream().allMatch(AgentHost::workloadReady)
            && agents.stream().allMatch(a -> a.agent().isAlive() && noHoldOpen(a))
            && leaderEndpoint().isPresent());
    for (AgentHost a : agents) {
      a.slowFreeze(Duration.ZERO);
    }
    Guarantees g = new Guarantees(this);
    g.assertAllTransactionsFinal(within);
    g.assertNoOrphanCaptures(within);
  }

  private static boolean noHoldOpen(AgentHost a) {
    try {
      return a.holds().read().stream().noneMatch(HoldsFile.Hold::open);
    } catch (IOException e) {
      return false;
    }
  }

  /** An agent's current registration, if any. */
  public Optional<AgentRegistration> registration(String agentId) throws Exception {
    try {
      return Optional.of(AgentRegistration.parseFrom(zk.getData().forPath(layout.agent(agentId))));
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    }
  }

  // ---- reporting and teardown ----

  /** Every process's state and the last {@code lines} lines of its log, the network, ZooKeeper's modes. */
  public String report(int lines) {
    StringBuilder b = new StringBuilder("==== multi-host cluster in " + workDir + " ====\n");
    if (network != null) {
      b.append(network.describe());
    }
    if (zookeeper != null) {
      b.append("zookeeper modes: ").append(zookeeper.modes()).append('\n');
    }
    try {
      b.append("leader: ").append(zk == null ? "?" : leaderEndpoint().orElse("none")).append(", registered agents: ")
          .append(zk == null ? "?" : registeredAgents()).append('\n');
    } catch (Exception e) {
      b.append("leader: unknown (").append(e).append(")\n");
    }
    List<ManagedProcess> all = processes();
    all.forEach(p -> b.append("  ").append(p.describe()).append('\n'));
    for (ManagedProcess p : all) {
      b.append("---- ").append(p.name()).append(": last ").append(lines).append(" lines of ").append(p.log())
          .append(" ----\n");
      p.tail(lines).forEach(l -> b.append("  | ").append(l).append('\n'));
    }
    return b.toString();
  }

  /** Stops every process (kill -9), then removes every namespace and link. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<String> problems = new ArrayList<>();
    if (rpc != null) {
      rpc.close();
    }
    if (zk != null) {
      zk.close();
    }
    for (ManagedProcess p : processes()) {
      try {
        p.kill();
      } catch (RuntimeException e) {
        problems.add(p.name() + ": " + e.getMessage());
      }
    }
    if (network != null) {
      try {
        network.close();
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // the JVM is already shutting down (we may be the hook), or the hook was never added
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("teardown of " + workDir + ": " + String.join("; ", problems));
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      System.err.println("multi-host cluster teardown: " + e.getMessage());
    }
  }
}
