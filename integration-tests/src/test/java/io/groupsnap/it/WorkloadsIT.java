package io.groupsnap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.Agent;
import io.groupsnap.devkit.workload.CutVerifier;
import io.groupsnap.devkit.workload.WorkloadCluster;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.DeleteGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.ProgressEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** G1 under load: both workloads run while 50 group snapshots are taken; every one must be a consistent cut. */
class WorkloadsIT {
  @TempDir Path tmp;

  @Test
  void fiftyGroupSnapshots_underBothWorkloads_areAllConsistentCuts() throws Exception {
    try (TestingServer zk = new TestingServer(true);
        WorkloadCluster wc = WorkloadCluster.start(tmp, 3, zk.getConnectString())) {
      await().atMost(Duration.ofSeconds(20)).until(() -> wc.cluster().coordinator().isLeader());
      // the workloads are really running, and really tear naive copies
      await().atMost(Duration.ofSeconds(20)).until(() -> wc.headers().updates() > 100
          && wc.ledger().transfers() > 100);
      int tornNaive = 0;
      for (int i = 0; i < 20 && tornNaive == 0; i++) {
        CutVerifier.Report naive = CutVerifier.verify(wc.naiveCopy(tmp.resolve("naive-" + i)), wc.ledger().total());
        tornNaive += naive.consistent() ? 0 : 1;
      }
      assertThat(tornNaive).as("a naive copy while the workloads run is torn").isPositive();

      ClientChannel ch = ClientChannel.toCoordinator(wc.cluster().clientTransport(),
          wc.cluster().coordinator().endpoint().toString());
      try {
        CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub = CoordinatorServiceGrpc.newBlockingStub(ch.channel);
        long transfersBefore = wc.ledger().transfers();
        for (int i = 1; i <= 50; i++) {
          GroupSnapshot g = create(stub);
          assertThat(g.getState()).as("snapshot %d: %s", i, g.getAbortReason()).isEqualTo(GroupSnapshotState.COMMITTED);
          CutVerifier.Report r = wc.verify(g);
          assertThat(r.consistent()).as("snapshot %d %s: %s", i, g.getId(), r).isTrue();
          for (Agent a : wc.cluster().agents().values()) {
            assertThat(a.participant().isHolding()).as("agent %s still holding after %s", a.id(), g.getId())
                .isFalse();
            assertThat(wc.headers().gate(a.id()).isClosed()).isFalse();
            assertThat(wc.ledger().gate(a.id()).isClosed()).isFalse();
          }
          stub.withDeadlineAfter(1, TimeUnit.MINUTES)
              .deleteGroupSnapshot(DeleteGroupSnapshotRequest.newBuilder().setId(g.getId()).build());
        }
        assertThat(wc.ledger().transfers()).as("the workload kept moving between snapshots")
            .isGreaterThan(transfersBefore);
      } finally {
        ch.close();
      }
    }
  }

  static GroupSnapshot create(CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub) {
    Iterator<ProgressEvent> events = stub.withDeadlineAfter(2, TimeUnit.MINUTES)
        .createGroupSnapshot(CreateGroupSnapshotRequest.getDefaultInstance());
    while (events.hasNext()) {
      ProgressEvent e = events.next();
      if (e.hasResult()) {
        return e.getResult();
      }
    }
    throw new AssertionError("stream ended without a result");
  }
}
