package io.groupsnap.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.devkit.workload.CutVerifier;
import io.groupsnap.devkit.workload.HeaderCountWorkload;
import io.groupsnap.devkit.workload.LedgerWorkload;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.KeeperException;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The guarantees every multi-host test checks, read from ZooKeeper and from the hosts' disks (all namespaces share
 * the file system) — never from a coordinator, which may be the thing under test:
 *
 * <ul>
 *   <li>G1: every committed group snapshot is one consistent cut ({@link CutVerifier} on the members' captures);
 *   <li>G2: no hold of any application exceeded its lease plus a margin;
 *   <li>G3: no capture directory on any agent that no committed group snapshot owns;
 *   <li>every transaction record under {@code txns/} is final (COMMITTED, ABORTED or DELETED).
 * </ul>
 *
 * Checks that need the system to settle (G3, final records) wait a bounded time first.
 */
public final class Guarantees {
  private final MultiHostCluster cluster;

  public Guarantees(MultiHostCluster cluster) {
    this.cluster = cluster;
  }

  /** What the checks saw, for the test's printed figures. */
  public record Summary(int committed, int holds, HoldsFile.Hold longest, String longestOn, int records) {
    @Override
    public String toString() {
      String hold = longest == null ? "no holds" : String.format("%d holds, longest %dms on %s (%s, lease %dms, %s)",
          holds, longest.heldMillis(System.currentTimeMillis()), longestOn, longest.txn(), longest.leaseMillis(),
          longest.how());
      return committed + " committed group snapshot(s) are consistent cuts; " + hold + "; no orphan captures; "
          + records + " transaction record(s), all final";
    }
  }

  /** Every check; {@code settle} bounds the wait for in-flight work to finish. */
  public Summary assertAll(Duration settle) throws Exception {
    assertAllTransactionsFinal(settle);
    assertNoOrphanCaptures(settle);
    int committed = assertCommittedSnapshotsAreConsistentCuts();
    Summary holds = assertHoldsWithinLease(Duration.ofSeconds(1));
    return new Summary(committed, holds.holds(), holds.longest(), holds.longestOn(), transactions().size());
  }

  /** G1 on every committed group snapshot; returns how many were verified. */
  public int assertCommittedSnapshotsAreConsistentCuts() throws Exception {
    List<String> failures = new ArrayList<>();
    Set<String> allAgents = new HashSet<>(cluster.agents().stream().map(AgentHost::id).toList());
    List<GroupSnapshot> committed = committed();
    for (GroupSnapshot g : committed) {
      Map<String, Path> copies = new LinkedHashMap<>();
      for (MemberRecord m : g.getMembersList()) {
        Path p = Path.of(m.getSnapshotPath());
        if (!Files.isDirectory(p)) {
          failures.add(g.getId() + ": capture of " + m.getAgentId() + " is missing (" + p + ")");
        }
        copies.put(m.getAgentId(), p);
      }
      if (copies.keySet().equals(allAgents)) {
        CutVerifier.Report r = CutVerifier.verify(copies, LedgerWorkload.INITIAL * allAgents.size());
        if (!r.consistent()) {
          failures.add(g.getId() + ": " + r);
        }
      } else {
        // only some accounts are in it: the ledger's sum cannot be checked, the header files can
        copies.forEach((agent, p) -> {
          if (HeaderCountWorkload.isTorn(p.resolve(HeaderCountWorkload.FILE))) {
            failures.add(g.getId() + ": torn header file on " + agent);
          }
        });
      }
    }
    assertThat(failures).as("G1: committed group snapshots that are not one consistent cut").isEmpty();
    return committed.size();
  }

  /**
   * G2 from the workloads' holds files: every hold ended by its lease deadline plus {@code margin}. A hold still open
   * counts up to now while its workload runs; one whose workload was killed ended with the process.
   */
  public Summary assertHoldsWithinLease(Duration margin) throws IOException {
    List<String> failures = new ArrayList<>();
    HoldsFile.Hold longest = null;
    String longestOn = null;
    int count = 0;
    long now = System.currentTimeMillis();
    for (AgentHost a : cluster.agents()) {
      for (HoldsFile.Hold h : a.holds().read()) {
        count++;
        if (h.open() && !a.workload().isAlive()) {
          continue;
        }
        if (h.overrunMillis(now) > margin.toMillis()) {
          failures.add(String.format("%s: hold for %s lasted %dms with a lease of %dms (%s)", a.id(), h.txn(),
              h.heldMillis(now), h.leaseMillis(), h.how()));
        }
        if (longest == null || h.heldMillis(now) > longest.heldMillis(now)) {
          longest = h;
          longestOn = a.id();
        }
      }
    }
    assertThat(failures).as("G2: holds longer than their lease + %dms", margin.toMillis()).isEmpty();
    return new Summary(0, count, longest, longestOn, 0);
  }

  /** G3: waits up to {@code wait} until no agent has a capture that no committed group snapshot owns. */
  public void assertNoOrphanCaptures(Duration wait) throws Exception {
    awaitEmpty("G3: capture directories no committed group snapshot owns", wait, this::orphanCaptures);
  }

  /** Every transaction record is final, after waiting up to {@code wait}. */
  public void assertAllTransactionsFinal(Duration wait) throws Exception {
    awaitEmpty("transaction records that are not final", wait, () -> transactions().stream()
        .filter(g -> !isFinal(g.getState())).map(g -> g.getId() + " " + g.getState()).toList());
  }

  /** Capture directories (also {@code .partial} ones) owned by no committed group snapshot, as "agent: path". */
  public List<String> orphanCaptures() throws Exception {
    Set<String> owned = new HashSet<>();
    for (GroupSnapshot g : committed()) {
      g.getMembersList().forEach(m -> owned.add(m.getAgentId() + " " + Path.of(m.getSnapshotPath()).normalize()));
    }
    List<String> orphans = new ArrayList<>();
    for (AgentHost a : cluster.agents()) {
      for (Path p : a.captureDirs()) {
        if (!owned.contains(a.id() + " " + p.normalize())) {
          orphans.add(a.id() + ": " + p);
        }
      }
    }
    return orphans;
  }

  /** The committed manifests under {@code snapshots/}. */
  public List<GroupSnapshot> committed() throws Exception {
    return records(cluster.layout().snapshots()).stream()
        .filter(g -> g.getState() == GroupSnapshotState.COMMITTED).toList();
  }

  /** Every transaction record under {@code txns/}. */
  public List<GroupSnapshot> transactions() throws Exception {
    return records(cluster.layout().txns());
  }

  private List<GroupSnapshot> records(String dir) throws Exception {
    List<GroupSnapshot> out = new ArrayList<>();
    List<String> children;
    try {
      children = cluster.zk().getChildren().forPath(dir);
    } catch (KeeperException.NoNodeException e) {
      return out;
    }
    for (String id : children) {
      try {
        out.add(GroupSnapshot.parseFrom(cluster.zk().getData().forPath(dir + "/" + id)));
      } catch (KeeperException.NoNodeException e) {
        // removed meanwhile
      }
    }
    return out;
  }

  static boolean isFinal(GroupSnapshotState s) {
    return s == GroupSnapshotState.COMMITTED || s == GroupSnapshotState.ABORTED || s == GroupSnapshotState.DELETED;
  }

  @FunctionalInterface
  private interface Finder {
    List<String> find() throws Exception;
  }

  private static void awaitEmpty(String what, Duration wait, Finder finder) throws Exception {
    AtomicReference<List<String>> last = new AtomicReference<>(List.of());
    try {
      Awaitility.await(what).atMost(wait).pollInterval(Duration.ofMillis(250)).until(() -> {
        last.set(finder.find());
        return last.get().isEmpty();
      });
    } catch (ConditionTimeoutException e) {
      assertThat(last.get()).as("%s (after waiting %dms)", what, wait.toMillis()).isEmpty();
    }
  }
}
