package io.groupsnap.agent;

import io.groupsnap.common.Daemons;
import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.config.ConfigException;
import io.groupsnap.agent.config.ConfigLoader;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.registry.ClusterAccess;
import io.groupsnap.agent.registry.InPlaceRecords;
import io.groupsnap.agent.registry.RecordDecisions;
import io.groupsnap.agent.registry.Registration;
import io.groupsnap.agent.restore.InPlaceRestores;
import io.groupsnap.agent.restore.RestoreManager;
import io.groupsnap.agent.verify.PostgresCheck;
import io.groupsnap.agent.verify.RestoredCheck;
import io.groupsnap.agent.restore.RestoreTargets;
import io.groupsnap.agent.rpc.AgentGrpcService;
import io.groupsnap.agent.rpc.AgentRestoreGrpcService;
import io.groupsnap.agent.scrub.CaptureChecker;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.Reaper;
import io.groupsnap.agent.txn.TxnJournal;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.VolumeSetup;
import io.groupsnap.agent.kinds.WriterSetup;
import io.groupsnap.agent.config.KindSetups;
import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.export.ExportManager;
import io.groupsnap.agent.export.ExportTargets;
import io.groupsnap.agent.export.ToolLedger;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.hub.WriterHub;
import io.groupsnap.agent.metrics.AgentMetrics;
import io.groupsnap.common.FaultPoints;
import io.groupsnap.common.Health;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.ZkHealth;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.ServerEdge;
import io.groupsnap.common.tls.Identity;
import io.groupsnap.common.tls.InsecureNotice;
import io.groupsnap.common.tls.Role;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.EpochRecord;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent: its volumes and writers, the AgentService on its listen address, and its ephemeral registration.
 * It serves over the transport its configuration names (mutual TLS, or plaintext when {@code insecure: true}) and obeys
 * only callers holding the coordinator role; its health service answers any caller the transport admits.
 *
 * <p>Lifecycle {@code LATENT → STARTED → CLOSED}; {@link #close()} is idempotent and releases every hold before it
 * stops serving, so shutting an agent down never leaves anything frozen.
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  public static final String VERSION = "0.1.0";
  /** How many volumes this agent restores at once (copies are disk-bound; more would only compete). */
  static final int RESTORE_CONCURRENCY = 2;

  private enum State { LATENT, STARTED, CLOSED }

  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final AgentConfig config;
  private final KindSetups kinds;
  private final List<Writer> extraWriters;
  private final Duration zkWait;
  private final FaultPoints faults;
  /** SERVING only once started and while connected and registered in ZooKeeper; see docs/operations.md. */
  private final Health health;
  private final AgentMetrics metrics = new AgentMetrics();
  private ZkHealth zkHealth;
  private ScheduledExecutorService watchdog;
  private CuratorFramework zk;
  private Server server;
  private Registration registration;
  private Participant participant;
  /** Writers made from the configuration (not the caller's extra ones): closed with the agent. */
  private final List<Writer> configuredWriters = new ArrayList<>();
  private volatile EpochFence fence;
  private HostPort endpoint;
  private CuratorCache epochCache;
  private Housekeeping housekeeping;
  private WriterHub writerHub;
  private ExportManager exports;
  private RestoreManager restores;
  private InPlaceRestores inPlace;
  private Transport transport;
  private InsecureNotice insecureNotice;

  private Agent(AgentConfig config, KindSetups kinds, List<Writer> extraWriters, Duration zkWait,
      FaultPoints faults) {
    this.config = config;
    this.kinds = kinds;
    this.extraWriters = List.copyOf(extraWriters);
    this.zkWait = zkWait;
    this.faults = faults;
    this.health = new Health("agent " + config.agentId(), AgentServiceGrpc.SERVICE_NAME);
  }

  /**
   * An agent for a validated configuration, without fault points.
   *
   * @param extraWriters writers living in this process (dev mode, demos, tests), beside the configured ones
   */
  public static Agent create(AgentConfig config, List<Writer> extraWriters, Duration zkWait) throws ConfigException {
    return create(config, extraWriters, zkWait, FaultPoints.NONE);
  }

  /**
   * An agent for a validated configuration.
   *
   * @param extraWriters writers living in this process (dev mode, demos, tests), beside the configured ones
   * @param faults where its FREEZE lets a test inject faults (the daemon: {@code SystemFaultPoints})
   */
  public static Agent create(AgentConfig config, List<Writer> extraWriters, Duration zkWait, FaultPoints faults)
      throws ConfigException {
    KindSetups kinds = ConfigLoader.validate("agent " + config.agentId(), config,
        extraWriters.stream().map(Writer::volumes).toList());
    Set<String> names = new HashSet<>(config.writers().stream().map(WriterConfig::name).toList());
    for (Writer w : extraWriters) {
      if (!names.add(w.name())) {
        throw new ConfigException("agent " + config.agentId() + ": duplicate writer name '" + w.name() + "'");
      }
    }
    return new Agent(config, kinds, extraWriters, zkWait, faults);
  }

  /** Connects to ZooKeeper, starts serving and registers. On failure everything started is closed again. */
  public Agent start() throws Exception {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("agent already started");
    }
    try {
      doStart();
      return this;
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  private void doStart() throws Exception {
    // unusable TLS material, or a certificate that is not this agent's, stops the agent before anything else starts
    transport = config.transport().openAs(Role.AGENT, config.agentId());
    Files.createDirectories(config.snapshotRoot());
    Files.createDirectories(config.stateDir());
    ZkLayout layout = new ZkLayout(config.cluster());
    ClusterAccess access = ClusterAccess.of(config);
    if (config.zookeeperAuth() == null) {
      log.warn("agent {}: no ZooKeeper credentials (insecure: true, no zookeeperAuth): it connects anonymously and "
          + "its registration is open to anyone", config.agentId());
    }
    zk = access.connect(zkWait);
    zkHealth = ZkHealth.follow(zk, health, ZkHealth.Needs.CONNECTION_AND_REGISTRATION);
    metrics.bind(zk);
    String clusterId = access.clusterId(zk, layout, zkWait);
    watchdog = Executors.newSingleThreadScheduledExecutor(Daemons.named("groupsnap-lease-watchdog-" + config.agentId()));
    KindContext context = KindContext.of(config.snapshotRoot(), config.stateDir());
    if (kinds.needsWriterHub()) {
      writerHub = new WriterHub(config.agentId(), config.stateDir().resolve(WriterHub.SOCKET_NAME),
          WriterHub.Transport.AUTO, config.writerHub());
      context = context.withWriterHub(writerHub);
    }
    List<Volume> volumes = new ArrayList<>();
    for (VolumeSetup<?> v : kinds.volumes()) {
      volumes.add(v.create(context));
    }
    List<Writer> writers = new ArrayList<>(extraWriters);
    for (WriterSetup<?> w : kinds.writers()) {
      Writer made = w.create(context);
      configuredWriters.add(made);
      writers.add(made);
    }
    if (writerHub != null) {
      writerHub.start();
    }
    fence = new EpochFence(config.stateDir(), clusterId);
    fence.confirmWith(() -> EpochRecord.parseFrom(zk.getData().forPath(layout.epoch())).getEpoch());
    SnapshotCatalog catalog = SnapshotCatalog.onDisk(config.stateDir());
    participant = new Participant(config.agentId(), volumes, writers, catalog,
        fence, config.snapshotRoot(), config.maxFreezeLease(), watchdog, Clock.systemUTC(), System::nanoTime,
        TxnJournal.onDisk(config.stateDir()), faults);
    participant.confineVolumesTo(config.volumeRoots());
    participant.reportHoldsTo(metrics.holds());
    List<String> recovered = participant.recoverAfterRestart();
    if (!recovered.isEmpty()) {
      log.warn("agent {} restarted while transactions {} may have held; everything they held is thawed",
          config.agentId(), recovered);
    }
    watchEpoch(layout, fence);
    RecordDecisions decisions = new RecordDecisions(zk, layout);
    participant.consultRecords(id -> {
      try {
        Reaper.Decision d = decisions.of(id);
        return d == Reaper.Decision.ABORTED || d == Reaper.Decision.DELETED;
      } catch (Exception e) {
        return false;
      }
    });
    housekeeping = new Housekeeping(config, participant, decisions, volumes, catalog, fence, metrics);
    housekeeping.start();
    ToolLedger tools = new ToolLedger(config.stateDir().resolve("export-tools"));
    exports = new ExportManager(config.agentId(), ExportTargets.create(config.exports(), config.stateDir(),
        CommandRunner.system(), tools), catalog, ExportManager.CaptureLocator.byVolumes(volumes), fence,
        config.stateDir(), config.exports().concurrency(), Clock.systemUTC(), metrics.exports(), tools);
    exports.start(); // stops the tools a killed agent left running, resumes its pending and running exports
    restores = new RestoreManager(config.agentId(), volumes, exports.targets(), catalog, fence,
        new RestoreTargets(config.restoreRoots(), volumes), RestoreManager.FreeSpace.SYSTEM, RESTORE_CONCURRENCY,
        Clock.systemUTC(), new RestoredCheck(config.volumes(), CommandRunner.system(),
            PostgresCheck.forWriters(config.writers(), CommandRunner.system())));
    inPlace = new InPlaceRestores(config.agentId(), restores, volumes, writers, fence, config.stateDir(),
        new InPlaceRecords(zk, layout), RESTORE_CONCURRENCY, faults);
    List<String> underway = inPlace.recover(); // settles a switch a crash interrupted, before anyone is served
    if (!underway.isEmpty()) {
      log.info("agent {}: in-place restores {} are under way here", config.agentId(), underway);
    }
    insecureNotice = InsecureNotice.startFor("agent " + config.agentId(), transport, participant::isHolding);
    server = ServerEdge.bounded(NettyServerBuilder.forAddress(
            new InetSocketAddress(config.listen().host(), config.listen().port()), transport.serverCredentials()))
        // Server-wide interceptors run last-added first: callers() runs first and puts the caller's identity in
        // the call's context, then metrics times the call from there to its close, so refusals by the per-service
        // role checks below are counted (PERMISSION_DENIED) as well as the calls served.
        .intercept(metrics.grpc())
        .intercept(transport.callers())
        .addService(ServerInterceptors.intercept(new AgentGrpcService(participant, housekeeping.checker(), exports),
            AgentGrpcService.coordinatorsOnly(this::denied)))
        .addService(ServerInterceptors.intercept(new AgentRestoreGrpcService(restores, inPlace),
            AgentRestoreGrpcService.coordinatorsOnly(this::denied)))
        .addService(health.service()) // any caller the authority vouches for
        .build()
        .start();
    endpoint = RegistrationRecord.advertised(config, server.getPort());
    metrics.serve(config.metricsListen());
    AgentRegistration record = RegistrationRecord.of(config, endpoint, VERSION, volumes, writers,
        exports.targets());
    try {
      registration = Registration.register(zk, layout, record, zkWait, zkHealth::registered,
          access.registrationAcls());
    } catch (Exception e) {
      throw access.refused(e, layout.agent(config.agentId()));
    }
    zkHealth.start();
    log.info("agent {} serving on {} (cluster {} {}), {} volume(s), {} writer(s)", config.agentId(), endpoint,
        config.cluster(), clusterId, volumes.size(), writers.size());
  }

  private void denied(Identity who, String method, Role needed, String why) {
    log.warn("agent {} refused {}: {}", config.agentId(), method, why);
  }

  /** Learns a new epoch as soon as a new leader raises it, so a deposed leader is refused even before contact. */
  private void watchEpoch(ZkLayout layout, EpochFence fence) {
    epochCache = CuratorCache.build(zk, layout.epoch(), CuratorCache.Options.SINGLE_NODE_CACHE);
    epochCache.listenable().addListener(CuratorCacheListener.builder().forCreatesAndChanges((before, node) -> {
      try {
        fence.observe(EpochRecord.parseFrom(node.getData()).getEpoch());
      } catch (Exception e) {
        log.warn("could not apply epoch update: {}", e.toString());
      }
    }).build());
    epochCache.start();
  }

  /** Runs one reconciliation pass now (tests, operators). */
  public Reaper.Pass reapNow() throws IOException {
    return housekeeping.reapNow();
  }

  public String id() {
    return config.agentId();
  }

  public AgentConfig config() {
    return config;
  }

  /** The endpoint coordinators dial; valid once started. */
  public HostPort endpoint() {
    return endpoint;
  }

  /** Where the metrics endpoint listens (the port it got, for port 0); empty when none is configured. */
  public Optional<HostPort> metricsAddress() {
    return metrics.address();
  }

  /**
   * The highest epoch this agent has accepted (0 before it started): the bench drives its {@link #participant()}
   * directly under it to measure the uncoordinated floor.
   */
  public long epoch() {
    return fence == null ? 0 : fence.highest();
  }

  /** The protocol participant, for in-process inspection (tests, demo). */
  public Participant participant() {
    return participant;
  }

  /** This agent's side of the scrub, for in-process inspection (tests). */
  public CaptureChecker captureChecker() {
    return housekeeping.checker();
  }

  /** This agent's exports, for in-process inspection (tests). */
  public ExportManager exports() {
    return exports;
  }

  /** The endpoint applications subscribe to (writers of kind grpc); null when no configured writer needs one. */
  public WriterHub writerHub() {
    return writerHub;
  }

  /**
   * Where applications subscribe as writers of kind grpc (give it to {@code WriterClient}): the agent's Unix socket,
   * or the endpoint file of its loopback fallback. Empty when no such writer is configured; valid once started.
   */
  public Optional<Path> writerSocket() {
    return writerHub == null ? Optional.empty() : Optional.of(writerHub.path());
  }

  /**
   * True while {@code application} is subscribed to this agent as a writer of kind grpc and has acknowledged its
   * identity: from then on a group snapshot can hold it. False when no such writer is configured.
   */
  public boolean isWriterConnected(String application) {
    return writerHub != null && writerHub.isConnected(application);
  }

  /** Blocks until the server terminates. */
  public void awaitTermination() throws InterruptedException {
    if (server != null) {
      server.awaitTermination();
    }
  }

  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) == State.CLOSED) {
      return;
    }
    health.close();
    metrics.close();
    closeQuietly(zkHealth);
    closeQuietly(housekeeping);
    if (participant != null) {
      participant.releaseAll();
    }
    closeQuietly(inPlace);
    for (Writer w : configuredWriters) {
      if (w instanceof AutoCloseable c) {
        closeQuietly(c); // what is still only prepared (an exec writer's session hooks)
      }
    }
    closeQuietly(restores);
    closeQuietly(exports); // kills running export tools; the journal resumes them at the next start
    closeQuietly(writerHub);
    closeQuietly(registration);
    closeQuietly(epochCache);
    Daemons.stop(server);
    if (zk != null) {
      zk.close();
    }
    if (watchdog != null) {
      watchdog.shutdownNow();
    }
    closeQuietly(insecureNotice);
    closeQuietly(transport);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      log.warn("while closing: {}", e.toString());
    }
  }
}
