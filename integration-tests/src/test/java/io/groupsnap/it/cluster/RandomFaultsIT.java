package io.groupsnap.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 45 group snapshots in a row (more with {@code -Dfaults.snapshots=N}) on a multi-host cluster while faults are injected at random: processes killed and
 * restarted, hosts cut off and healed, applications paused, slow or failing at thaw, coordinators killed at protocol
 * points, ZooKeeper servers killed. The seed is printed; {@code -Dfaults.seed=N} chooses the same faults in the same
 * order (the timing of a real cluster is not reproducible, the schedule of faults is). Afterwards every guarantee is
 * checked over the whole run.
 */
class RandomFaultsIT {
  /** 45 in every build (about nine faults); {@code -Dfaults.snapshots=N} for a longer exploration. */
  static final int SNAPSHOTS = Integer.getInteger("faults.snapshots", 45);
  static final int FAULT_PERCENT = 20;
  static final List<String> POINTS = List.of("coordinator.after-freeze-sent=halt-after:20",
      "coordinator.after-all-frozen=halt", "coordinator.after-thaw-sent=halt-after:20",
      "coordinator.before-commit-write=halt", "coordinator.after-commit-write=halt");

  @RegisterExtension final ClusterExtension clusters = new ClusterExtension();

  @Test
  void groupSnapshotsInARow_underRandomFaults_keepEveryGuarantee() throws Exception {
    long seed = Long.getLong("faults.seed", System.nanoTime());
    System.out.println("random faults: seed " + seed + " (replay the schedule with -Dfaults.seed=" + seed + ")");
    Random rnd = new Random(seed);
    MultiHostCluster c = clusters.start(MultiHostCluster.builder().agents(3).coordinators(2));
    Guarantees g = new Guarantees(c);
    Map<String, int[]> outcomes = new TreeMap<>();
    long t0 = System.nanoTime();
    for (int i = 1; i <= SNAPSHOTS; i++) {
      String fault = rnd.nextInt(100) < FAULT_PERCENT ? inject(c, rnd) : "none";
      GroupSnapshot r = c.snapshot(FaultMatrixIT.QUICK);
      heal(c, fault);
      int[] counts = outcomes.computeIfAbsent(fault.replaceAll(" .*", ""), k -> new int[2]);
      counts[r.getState() == GroupSnapshotState.COMMITTED ? 0 : 1]++;
      if (!fault.equals("none") || r.getState() != GroupSnapshotState.COMMITTED) {
        System.out.printf("snapshot %3d under %-40s %s %s%n", i, fault, r.getState(),
            r.getAbortReason().isEmpty() ? "" : "(" + r.getAbortReason() + ")");
      }
    }
    System.out.printf("%d group snapshots in %ds; outcome by fault [committed, aborted]:%n", SNAPSHOTS,
        (System.nanoTime() - t0) / 1_000_000_000L);
    outcomes.forEach((f, n) -> System.out.printf("  %-12s %3d committed, %3d aborted%n", f, n[0], n[1]));
    assertThat(outcomes.get("none")[0]).as("most snapshots without a fault commit").isPositive();
    System.out.println("guarantees: " + g.assertAll(FaultMatrixIT.SETTLE));
  }

  /** Injects one fault; returns its description, which {@link #heal} undoes. */
  private static String inject(MultiHostCluster c, Random rnd) throws Exception {
    int k = 1 + rnd.nextInt(c.agents().size());
    AgentHost a = c.agent(k);
    switch (rnd.nextInt(7)) {
      case 0 -> {
        a.agent().kill();
        return "kill-agent " + k;
      }
      case 1 -> {
        c.cutOff(a.id());
        return "cut-off " + k;
      }
      case 2 -> {
        a.workload().pause();
        return "pause-app " + k;
      }
      case 3 -> {
        a.slowFreeze(Duration.ofSeconds(3));
        return "slow-app " + k;
      }
      case 4 -> {
        a.failNextThaw();
        return "fail-thaw " + k;
      }
      case 5 -> {
        ManagedProcess leader = c.coordinatorAt(c.leaderEndpoint().orElseThrow()).orElseThrow();
        String point = POINTS.get(rnd.nextInt(POINTS.size()));
        c.failpoints(leader, point);
        return "leader-failpoint " + leader.name() + " " + point;
      }
      default -> {
        ManagedProcess z = c.zookeeper().servers().get(rnd.nextInt(c.zookeeper().servers().size()));
        z.kill();
        return "kill-zk " + z.name();
      }
    }
  }

  private static void heal(MultiHostCluster c, String fault) throws Exception {
    String[] f = fault.split(" ");
    switch (f[0]) {
      case "kill-agent" -> {
        AgentHost a = c.agent(Integer.parseInt(f[1]));
        long restartedAt = System.currentTimeMillis();
        a.agent().start();
        await(a.id() + " registered again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
            .until(() -> c.registration(a.id()).map(r -> r.getStartedAtMillis() >= restartedAt).orElse(false));
      }
      case "cut-off" -> c.heal(c.agent(Integer.parseInt(f[1])).id());
      case "pause-app" -> c.agent(Integer.parseInt(f[1])).workload().resume();
      case "slow-app" -> c.agent(Integer.parseInt(f[1])).slowFreeze(Duration.ZERO);
      case "leader-failpoint" -> {
        ManagedProcess p = c.coordinators().stream().filter(x -> x.name().equals(f[1])).findFirst().orElseThrow();
        c.failpoints(p, "");
        if (!p.isAlive()) {
          p.start();
        }
      }
      case "kill-zk" -> {
        ManagedProcess z = c.zookeeper().servers().stream().filter(x -> x.name().equals(f[1])).findFirst()
            .orElseThrow();
        z.start();
        c.zookeeper().awaitQuorum(Duration.ofSeconds(30));
      }
      default -> { }
    }
    if (!fault.equals("none")) {
      await("every agent registered and every coordinator up after " + fault).atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
          .until(() -> c.registeredAgents().size() == c.agents().size()
              && c.coordinators().stream().allMatch(ManagedProcess::isAlive) && c.leaderEndpoint().isPresent());
    }
  }
}
