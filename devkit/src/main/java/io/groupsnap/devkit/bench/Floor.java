package io.groupsnap.devkit.bench;

import io.groupsnap.agent.Agent;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.Results.FreezeResult;
import io.groupsnap.agent.txn.Results.PrepareResult;
import io.groupsnap.agent.txn.Results.ThawResult;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.common.Daemons;
import io.groupsnap.devkit.DevkitException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The uncoordinated floor of one cluster: every member's own FREEZE (writers held, volume captured) and THAW, started
 * at once from one local latch, with no coordinator, no gRPC and no ZooKeeper, through the agents' own
 * {@link Participant}s (the code path a coordinator's calls reach). Each member thaws as soon as its own capture is
 * done. PREPARE before and ABORT after (which deletes the captures) are outside the sample, as in a group snapshot.
 *
 * <p>One thread per member, started once, so that no thread is created inside a sample. Not thread-safe.
 */
final class Floor implements AutoCloseable {
  /** The lease of the floor's holds: as long as a coordinator's default; every hold still has its watchdog. */
  static final Duration LEASE = Duration.ofSeconds(15);

  private final List<Agent> members;
  private final String clusterId;
  private final ExecutorService threads;
  private int sequence;

  Floor(List<Agent> members, String clusterId) {
    this.members = List.copyOf(members);
    this.clusterId = clusterId;
    this.threads = Executors.newFixedThreadPool(members.size(), Daemons.named("bench-floor"));
  }

  /**
   * Takes one sample; {@code marks} (reported to by every member) hold its window afterwards.
   *
   * @throws DevkitException (failed) when a member does not prepare, freeze or thaw unbroken
   */
  void sample(WindowMarks marks) throws Exception {
    // the epoch the coordinator's last transaction raised every member to: the fence admits it without a look-up
    TxnRef ref = new TxnRef(clusterId, members.get(0).epoch(), "bench-floor-" + (++sequence));
    for (Agent a : members) {
      PrepareResult p = a.participant().prepare(ref, List.of(), LEASE);
      if (!p.ok()) {
        throw failed(a, "did not prepare: " + p.reason());
      }
    }
    marks.reset();
    CountDownLatch ready = new CountDownLatch(members.size());
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> runs = new ArrayList<>();
    for (Agent a : members) {
      runs.add(threads.submit(() -> {
        ready.countDown();
        go.await();
        FreezeResult f = a.participant().freeze(ref, LEASE);
        if (!f.frozen()) {
          return "did not freeze: " + f.reason();
        }
        ThawResult t = a.participant().thaw(ref);
        return t.unbroken() ? null : "hold broken: " + t.brokenReason();
      }));
    }
    ready.await();
    go.countDown();
    String problem = null;
    for (int i = 0; i < runs.size(); i++) {
      String p = runs.get(i).get();
      if (p != null && problem == null) {
        problem = members.get(i).id() + " " + p;
      }
    }
    for (Agent a : members) {
      a.participant().abort(ref);
    }
    if (problem != null) {
      throw new DevkitException(DevkitException.Kind.FAILED, "bench floor " + ref.txnId() + ": " + problem);
    }
  }

  private DevkitException failed(Agent a, String what) {
    return new DevkitException(DevkitException.Kind.FAILED, "bench floor: " + a.id() + " " + what);
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
