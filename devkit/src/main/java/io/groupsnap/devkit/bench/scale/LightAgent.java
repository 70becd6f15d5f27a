package io.groupsnap.devkit.bench.scale;

import io.groupsnap.agent.registry.Registration;
import io.groupsnap.agent.rpc.AgentGrpcService;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.TxnJournal;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.common.Daemons;
import io.groupsnap.common.Formats;
import io.groupsnap.common.ServerEdge;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.devkit.workload.Gate;
import io.groupsnap.devkit.workload.GateWriter;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.EpochRecord;
import io.groupsnap.proto.v1.VolumeInfo;
import io.groupsnap.proto.v1.WriterInfo;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.curator.framework.CuratorFramework;

/**
 * One lightweight agent of the scale harness: a real {@link Participant} (the agent's own transaction code, with one
 * {@code dir} volume and one in-process writer) behind the real {@link AgentGrpcService} on its own loopback port,
 * registered in ZooKeeper as a daemon registers. What a daemon has per process and this shares with the other agents
 * of its {@link AgentHost}: the Netty event loops, the gRPC executor, the lease watchdog, the ZooKeeper session (its
 * ephemeral registration lives in the host's session) and the epoch watch. Left out: metrics, the reaper, exports,
 * scrub and TLS (plaintext, as {@code groupsnap bench --transport insecure}); the journal is in memory.
 */
final class LightAgent implements AutoCloseable {
  static final String VOLUME = "data";

  /** What every agent of a host shares. */
  record Shared(CuratorFramework zk, ZkLayout layout, String clusterId, EventLoopGroup boss, EventLoopGroup workers,
      Executor executor, ScheduledExecutorService timer) {}

  private final String id;
  private final Participant participant;
  private final EpochFence fence;
  private final Server server;
  private final Registration registration;

  private LightAgent(String id, Participant participant, EpochFence fence, Server server,
      Registration registration) {
    this.id = id;
    this.participant = participant;
    this.fence = fence;
    this.server = server;
    this.registration = registration;
  }

  /** Starts agent {@code id} with its files under {@code home} ({@code files} small files in its volume). */
  static LightAgent start(String id, Path home, int files, Shared s) throws Exception {
    Path volume = Files.createDirectories(home.resolve(VOLUME));
    Path snapshots = Files.createDirectories(home.resolve("snapshots"));
    Path state = Files.createDirectories(home.resolve("state"));
    for (int f = 0; f < files; f++) {
      Files.write(volume.resolve("file-" + f), new byte[1024]);
    }
    EpochFence fence = new EpochFence(state, s.clusterId());
    fence.confirmWith(() -> EpochRecord.parseFrom(s.zk().getData().forPath(s.layout().epoch())).getEpoch());
    Writer writer = new GateWriter("app", new Gate(), s.timer(), Duration.ofSeconds(2));
    Participant p = new Participant(id, List.of(new DirVolume(VOLUME, volume, snapshots)), List.of(writer),
        SnapshotCatalog.inMemory(), fence, snapshots, Duration.ofMinutes(1), s.timer(), Clock.systemUTC(),
        System::nanoTime, TxnJournal.inMemory());
    Server server = ServerEdge.bounded(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .bossEventLoopGroup(s.boss()).workerEventLoopGroup(s.workers())
            .channelType(NioServerSocketChannel.class).executor(s.executor()))
        .addService(new AgentGrpcService(p))
        .build()
        .start();
    try {
      AgentRegistration reg = AgentRegistration.newBuilder().setAgentId(id)
          .setEndpoint("127.0.0.1:" + server.getPort()).putLabels("scale", "true").setVersion("scale")
          .setStartedAtMillis(System.currentTimeMillis()).setMaxFreezeLeaseMillis(Duration.ofMinutes(1).toMillis())
          .setFormatVersion(Formats.CURRENT)
          .addVolumes(VolumeInfo.newBuilder().setName(VOLUME).setKind("dir").setPath(volume.toString()))
          .addWriters(WriterInfo.newBuilder().setName(writer.name()).setKind(writer.kind()).setTier(writer.tier()))
          .build();
      Registration r = Registration.register(s.zk(), s.layout(), reg, Duration.ofSeconds(30));
      return new LightAgent(id, p, fence, server, r);
    } catch (Exception e) {
      Daemons.stop(server);
      throw e;
    }
  }

  String id() {
    return id;
  }

  Participant participant() {
    return participant;
  }

  String clusterId() {
    return fence.clusterId();
  }

  /** The highest epoch this agent has seen (a local floor round runs under it). */
  long epoch() {
    return fence.highest();
  }

  /** Learns a new epoch (the host's one epoch watch tells every agent). */
  void observe(long epoch) {
    try {
      fence.observe(epoch);
    } catch (Exception e) {
      // a lower epoch than one already seen: nothing to learn
    }
  }

  /** Stops serving at once, as a host that died would (its registration stays until {@link #close()}). */
  void kill() {
    server.shutdownNow();
  }

  @Override
  public void close() {
    participant.releaseAll();
    try {
      registration.close();
    } catch (Exception e) {
      // goes with the host's session
    }
    Daemons.stop(server);
  }
}
