package io.groupsnap.coordinator;

import io.groupsnap.common.tls.Transport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.common.HostPort;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.AbortCause;
import io.groupsnap.proto.v1.AbortResponse;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.MemberState;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A leader killed mid-freeze leaves a record that says PREPARING with every member PENDING (nothing is written inside
 * the freeze window). Its successor aborts it; the ABORTED record it writes must keep what is known — what the old
 * leader wrote, and what each agent reports when it confirms the ABORT — and say UNKNOWN where nobody knows, never a
 * fabricated "PENDING 0ms". Real ZooKeeper, a real coordinator, agents answering over real gRPC.
 */
class SuccessorAbortTest {
  TestingServer zk;
  CuratorFramework client;
  FakeAgent frozenOne;
  Coordinator coordinator;
  final ZkLayout layout = new ZkLayout("default");

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(true);
    client = ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10));
    // a1 had frozen for 11s when its lease ran out; it is registered and answers the successor's ABORT
    frozenOne = new FakeAgent("a1").answeringAbort(AbortResponse.newBuilder().setWasFrozen(false)
        .setReached(MemberState.MEMBER_FROZEN).setFreezeStartedAtMillis(1_700_000_000_000L)
        .setTimeToFrozenMillis(12).setHeldMillis(11_000).setLeaseExpired(true).build()).register(client, layout);
  }

  @AfterEach
  void stop() throws Exception {
    if (coordinator != null) {
      coordinator.close();
    }
    frozenOne.close();
    client.close();
    zk.close();
  }

  private void startSuccessor() {
    coordinator = new Coordinator(CoordinatorConfig.defaults("default", zk.getConnectString(),
        new HostPort("127.0.0.1", 0)).withResolveInterval(Duration.ofMillis(200)),
        Transport.insecure());
    try {
      coordinator.start();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private GroupSnapshot abortedRecord(String id) {
    await().atMost(Duration.ofSeconds(20))
        .until(() -> coordinator.getGroupSnapshot(id).getState() == GroupSnapshotState.ABORTED);
    try {
      return coordinator.getGroupSnapshot(id);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, MemberRecord> byAgent(GroupSnapshot g) {
    return g.getMembersList().stream().collect(Collectors.toMap(MemberRecord::getAgentId, Function.identity()));
  }

  static MemberRecord.Builder member(String agent, MemberState state) {
    return MemberRecord.newBuilder().setAgentId(agent).setVolume("data").setState(state);
  }

  @Test
  void aTransactionLeftMidFreeze_isAbortedWithWhatTheAgentsReport_andUnknownWhereNobodyKnows() throws Exception {
    // the old leader's BEGIN record: nothing more is written before the decision
    client.create().creatingParentsIfNeeded().forPath(layout.txn("gs-1"), GroupSnapshot.newBuilder().setId("gs-1")
        .setState(GroupSnapshotState.PREPARING).setEpoch(7).setCreatedAtMillis(1)
        .addMembers(member("a1", MemberState.MEMBER_PENDING)).addMembers(member("a2", MemberState.MEMBER_PENDING))
        .build().toByteArray());

    startSuccessor();
    GroupSnapshot g = abortedRecord("gs-1");

    assertThat(g.getAbortCause()).isEqualTo(AbortCause.ABORT_LEADER_LOST);
    assertThat(g.getAbortReason()).startsWith("leader changed before the decision").contains("epoch 7");
    MemberRecord a1 = byAgent(g).get("a1");
    assertThat(a1.getState()).as("a1 confirmed the abort").isEqualTo(MemberState.MEMBER_ABORTED);
    assertThat(a1.getHeldMillis()).as("what a1 reported: it held 11s").isEqualTo(11_000);
    assertThat(a1.getTimeToFrozenMillis()).isEqualTo(12);
    assertThat(a1.getFreezeStartedAtMillis()).isEqualTo(1_700_000_000_000L);
    MemberRecord a2 = byAgent(g).get("a2");
    assertThat(a2.getState()).as("a2 is down: nobody knows how far it got").isEqualTo(MemberState.MEMBER_UNKNOWN);
    assertThat(a2.getError()).startsWith("abort not confirmed: agent not registered");
    assertThat(frozenOne.aborts).isNotEmpty().allSatisfy(r -> assertThat(r.getReason()).isEqualTo(g.getAbortReason()));
  }

  @Test
  void aTransactionLeftAborting_keepsWhatTheOldLeaderWrote() throws Exception {
    // the old leader had begun to abort: its record says who froze, for how long, and why it aborted
    client.create().creatingParentsIfNeeded().forPath(layout.txn("gs-2"), GroupSnapshot.newBuilder().setId("gs-2")
        .setState(GroupSnapshotState.ABORTING).setEpoch(7).setCreatedAtMillis(1)
        .setAbortReason("no FROZEN answer within the freeze timeout of 500ms from [a1]").setAbortMember("a1")
        .setAbortCause(AbortCause.ABORT_TIMED_OUT)
        .addMembers(member("a1", MemberState.MEMBER_PREPARED))
        .addMembers(member("a3", MemberState.MEMBER_FROZEN).setTimeToFrozenMillis(40).setFreezeStartedAtMillis(5)
            .setSnapshotPath("/snaps/gs-2"))
        .build().toByteArray());

    startSuccessor();
    GroupSnapshot g = abortedRecord("gs-2");

    assertThat(g.getAbortReason()).isEqualTo("no FROZEN answer within the freeze timeout of 500ms from [a1]");
    assertThat(g.getAbortCause()).isEqualTo(AbortCause.ABORT_TIMED_OUT);
    assertThat(g.getAbortMember()).isEqualTo("a1");
    MemberRecord a3 = byAgent(g).get("a3");
    assertThat(a3.getState()).as("a3 is down: its last written state stays").isEqualTo(MemberState.MEMBER_FROZEN);
    assertThat(a3.getTimeToFrozenMillis()).isEqualTo(40);
    assertThat(a3.getSnapshotPath()).isEqualTo("/snaps/gs-2");
    assertThat(a3.getError()).startsWith("abort not confirmed");
    assertThat(byAgent(g).get("a1").getState()).isEqualTo(MemberState.MEMBER_ABORTED);
    assertThat(byAgent(g).get("a1").getHeldMillis()).isEqualTo(11_000);
  }
}
