package io.groupsnap.devkit.bench.scale;

import io.groupsnap.common.ClusterIdentity;
import io.groupsnap.common.Daemons;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.devkit.cluster.DevCluster;
import io.groupsnap.devkit.cluster.EmbeddedZooKeeper;
import io.groupsnap.proto.v1.EpochRecord;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;

/**
 * The agents' side of the scale harness, one JVM apart from the coordinator so that the coordinator's CPU time and
 * allocation can be measured for its process alone. It embeds the ZooKeeper and runs any number of {@link LightAgent}s
 * sharing one pair of Netty event loop groups, one gRPC executor, one timer and one ZooKeeper session. Agents start in
 * batches of {@link #BATCH} (started in parallel within a batch, a batch after the other), so a thousand agents never
 * all dial ZooKeeper at once.
 *
 * <p>Driven by {@link AgentHostProcess} with one command a line on standard input, answering one line on standard
 * output ({@code ok ...} or {@code error <why>}): {@code agents N FILES} (start agents until there are N),
 * {@code floor ROUNDS} (the uncoordinated floor, see {@link Floor}), {@code kill K} (stop serving on the last K agents,
 * as dead hosts), {@code quit}. The first line it prints is {@code zk <connect string>}; logs go to standard error.
 */
public final class AgentHost {
  static final int BATCH = 50;
  private final Path dir;
  private final List<LightAgent> agents = new ArrayList<>();
  private final ExecutorService starter = Executors.newFixedThreadPool(8, Daemons.named("scale-agent-start"));
  private final PrintStream out;
  private EmbeddedZooKeeper zookeeper;
  private CuratorFramework zk;
  private LightAgent.Shared shared;
  private CuratorCache epochWatch;

  private AgentHost(Path dir, PrintStream out) {
    this.dir = dir;
    this.out = out;
  }

  /** {@code AgentHost <data dir>}: see the class comment. */
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    System.setOut(System.err); // only answers go to standard output
    AgentHost host = new AgentHost(Path.of(args[0]), out);
    try {
      host.run(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    } finally {
      host.close();
    }
    System.exit(0);
  }

  private void run(BufferedReader in) throws Exception {
    zookeeper = EmbeddedZooKeeper.start(dir.resolve("zookeeper"));
    out.println("zk " + zookeeper.connectString());
    String line;
    while ((line = in.readLine()) != null) {
      String[] w = line.trim().split(" ");
      try {
        switch (w[0]) {
          case "agents" -> {
            grow(Integer.parseInt(w[1]), Integer.parseInt(w[2]));
            out.println("ok " + agents.size());
          }
          case "floor" -> out.println("ok " + Floor.run(agents, Integer.parseInt(w[1])));
          case "kill" -> {
            int k = Integer.parseInt(w[1]);
            for (int i = agents.size() - k; i < agents.size(); i++) {
              agents.get(i).kill();
            }
            out.println("ok " + k);
          }
          case "quit" -> {
            out.println("ok bye");
            return;
          }
          default -> out.println("error unknown command " + w[0]);
        }
      } catch (Exception e) {
        out.println("error " + String.valueOf(e).replace('\n', ' '));
      }
    }
  }

  /** Starts agents until there are {@code total}, {@link #BATCH} at a time. */
  private void grow(int total, int files) throws Exception {
    if (shared == null) {
      connect();
    }
    while (agents.size() < total) {
      int from = agents.size() + 1;
      int to = Math.min(total, agents.size() + BATCH);
      List<Future<LightAgent>> batch = new ArrayList<>();
      for (int i = from; i <= to; i++) {
        String id = "agent-" + i;
        batch.add(starter.submit(() -> LightAgent.start(id, DevCluster.volumeDir(dir, id).getParent(), files,
            shared)));
      }
      for (Future<LightAgent> f : batch) {
        LightAgent a = f.get();
        synchronized (agents) {
          agents.add(a);
        }
      }
    }
  }

  /** One session, one epoch watch and one set of threads for every agent (the coordinator has set the cluster up). */
  private void connect() throws Exception {
    zk = ZkClients.connect(zookeeper.connectString(), Duration.ofSeconds(30));
    ZkLayout layout = new ZkLayout(DevCluster.CLUSTER);
    String clusterId = ClusterIdentity.ensure(zk, layout);
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, Daemons.named("scale-agent-timer"));
    shared = new LightAgent.Shared(zk, layout, clusterId, new NioEventLoopGroup(1, Daemons.named("scale-boss")),
        new NioEventLoopGroup(2, Daemons.named("scale-worker")),
        Executors.newFixedThreadPool(8, Daemons.named("scale-grpc")), timer);
    epochWatch = CuratorCache.build(zk, layout.epoch(), CuratorCache.Options.SINGLE_NODE_CACHE);
    epochWatch.listenable().addListener(CuratorCacheListener.builder().forCreatesAndChanges((before, node) -> {
      try {
        long epoch = EpochRecord.parseFrom(node.getData()).getEpoch();
        synchronized (agents) {
          agents.forEach(a -> a.observe(epoch));
        }
      } catch (Exception e) {
        // an undecodable epoch: agents confirm with ZooKeeper at their next call anyway
      }
    }).build());
    epochWatch.start();
  }

  private void close() {
    agents.forEach(LightAgent::close);
    if (epochWatch != null) {
      epochWatch.close();
    }
    if (zk != null) {
      zk.close();
    }
    starter.shutdownNow();
    if (shared != null) {
      shared.boss().shutdownGracefully();
      shared.workers().shutdownGracefully();
      ((ExecutorService) shared.executor()).shutdownNow();
      shared.timer().shutdownNow();
    }
    if (zookeeper != null) {
      try {
        zookeeper.close();
      } catch (Exception e) {
        // the process ends next
      }
    }
  }
}
