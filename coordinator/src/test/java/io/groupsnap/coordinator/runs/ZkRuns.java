package io.groupsnap.coordinator.runs;

import io.groupsnap.common.ZkLayout;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.RunState;
import java.time.Instant;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;

/**
 * A real ZooKeeper (curator-test) with a cluster and its run records, for tests that start from runs already
 * recorded (deletion, retention): terms to write in, and finished run records written as a leader would have.
 */
public final class ZkRuns implements AutoCloseable {
  public final ZkLayout layout = new ZkLayout("c1");
  private final TestingServer server;
  public final CuratorFramework zk;
  public final ClusterStore cluster;
  /** The store the records are written and read with (a deletion under test gets its own). */
  public final RunStore store;

  public ZkRuns() throws Exception {
    server = new TestingServer(true);
    zk = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100));
    zk.start();
    cluster = new ClusterStore(zk, layout);
    cluster.ensureCluster();
    store = new RunStore(zk, layout);
  }

  /** A new leader term named {@code name} (its own latch node, the epoch bumped). */
  public Leadership.Term term(String name) throws Exception {
    String latch = "/latch-" + name;
    zk.create().forPath(latch);
    ClusterStore.Bump b = cluster.bumpEpoch(latch, name);
    return new Leadership.Term(b.epoch(), new ClusterStore.Fence(latch, b.epochVersion()));
  }

  /**
   * A run of {@code group} created at {@code at} and ended in {@code state}, with group snapshot {@code "gs-" + id}
   * and one export per agent on volume "data" to target "repo": DONE with a repository snapshot for a COMPLETED run,
   * FAILED without one otherwise. No agents: no export target.
   */
  public static BackupRun finished(String id, String group, Instant at, RunState state, String... agents) {
    BackupRun.Builder b = BackupRun.newBuilder().setId(id).setGroup(group).setState(state)
        .setCreatedAtMillis(at.toEpochMilli()).setFinishedAtMillis(at.toEpochMilli() + 60_000)
        .setGroupSnapshotId("gs-" + id).setExportTarget(agents.length == 0 ? "" : "repo");
    for (String a : agents) {
      MemberExport.Builder e = MemberExport.newBuilder().setAgentId(a).setVolume("data");
      if (state == RunState.RUN_COMPLETED) {
        e.setState(ExportState.EXPORT_DONE).setRepositorySnapshotId("snap-" + id + "-" + a).setBytesDone(100);
      } else {
        e.setState(ExportState.EXPORT_FAILED).setError("repository unreachable");
      }
      b.addExports(e);
    }
    return b.build();
  }

  /** Records {@code run} as the leader of {@code term} would. */
  public BackupRun record(BackupRun run, Leadership.Term term) throws Exception {
    store.create(run, term.fence());
    store.release(run.getId());
    return run;
  }

  public BackupRun find(String id) throws Exception {
    return store.find(id).orElseThrow();
  }

  @Override
  public void close() throws Exception {
    zk.close();
    server.close();
  }
}
