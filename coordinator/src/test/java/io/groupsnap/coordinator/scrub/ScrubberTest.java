package io.groupsnap.coordinator.scrub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.FencedWriteException;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.CaptureCheck;
import io.groupsnap.proto.v1.CaptureCondition;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.MemberState;
import io.groupsnap.proto.v1.TxnHeader;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leader's scrub against a real ZooKeeper server: what it records on committed group snapshots, what it leaves
 * alone, and its fencing. The agents' answers come from a scripted probe (the agent side has its own tests).
 */
class ScrubberTest {
  final ZkLayout layout = new ZkLayout("t");
  TestingServer server;
  CuratorFramework zk;
  ClusterStore store;
  String latch;
  Leadership.Term term;
  ScriptedProbe probe;
  Scrubber scrubber;

  /** Answers each agent's check with what the test put in {@link #answers}; records the calls. */
  static final class ScriptedProbe implements CaptureProbe {
    final Map<String, CaptureCondition> answers = new ConcurrentHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    Runnable duringCall = () -> { };

    @Override
    public CompletableFuture<Reply> check(String agentId, String endpoint, TxnHeader header, List<String> volumes,
        boolean checksum, Duration deadline) {
      String agent = endpoint.substring(0, endpoint.indexOf(':'));
      calls.add(agent + " " + header.getTxnId() + " epoch " + header.getEpoch() + " " + volumes);
      duringCall.run();
      CaptureCondition c = answers.get(agent);
      if (c == null) {
        return CompletableFuture.completedFuture(Reply.unreachable("agent at " + endpoint + ": UNAVAILABLE"));
      }
      return CompletableFuture.completedFuture(Reply.answered(volumes.stream().map(v -> CaptureCheck.newBuilder()
          .setAgentId(agent).setVolume(v).setCondition(c).setDetail(c == CaptureCondition.CAPTURE_MISSING
              ? "capture /snaps/" + v + "/" + header.getTxnId() + " is gone" : "").setCheckedAtMillis(7).build())
          .toList()));
    }
  }

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    zk = ZkClients.connect(server.getConnectString(), Duration.ofSeconds(10));
    store = new ClusterStore(zk, layout);
    String clusterId = store.ensureCluster();
    latch = zk.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(layout.leader() + "/latch-", new byte[0]);
    ClusterStore.Bump bump = store.bumpEpoch(latch, "c1");
    term = new Leadership.Term(bump.epoch(), new ClusterStore.Fence(latch, bump.epochVersion()));
    for (String a : List.of("a1", "a2")) {
      zk.create().forPath(layout.agent(a), AgentRegistration.newBuilder().setAgentId(a).setEndpoint(a + ":7400")
          .build().toByteArray());
    }
    probe = new ScriptedProbe();
    scrubber = new Scrubber(store, probe, clusterId, Duration.ofSeconds(5), Clock.systemUTC());
  }

  @AfterEach
  void stop() throws Exception {
    zk.close();
    server.close();
  }

  /** A group snapshot committed on {@code agents} and confirmed by all of them (finalized unless told otherwise). */
  GroupSnapshot committed(String id, boolean finalized, String... agents) throws Exception {
    GroupSnapshot.Builder b = GroupSnapshot.newBuilder().setId(id).setState(GroupSnapshotState.PREPARING)
        .setEpoch(term.epoch()).setCreatedAtMillis(1);
    for (String a : agents) {
      b.addMembers(MemberRecord.newBuilder().setAgentId(a).setVolume("data").setState(MemberState.MEMBER_COMMITTED)
          .setSnapshotPath("/snaps/data/" + id));
    }
    store.createTxn(b.build(), term.fence());
    store.commitTxn(b.setState(GroupSnapshotState.COMMITTED).build(), term.fence());
    if (finalized) {
      store.updateTxn(b.setFinalized(true).build(), term.fence());
    }
    return b.build();
  }

  static CaptureCondition conditionOf(GroupSnapshot g, String agent) {
    return g.getMembersList().stream().filter(m -> m.getAgentId().equals(agent)).findFirst().orElseThrow()
        .getCheck().getCondition();
  }

  GroupSnapshot manifest(String id) throws Exception {
    return store.list(false).stream().filter(g -> g.getId().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void aMissingCapture_marksTheGroupSnapshotDamaged_namingTheMember_inItsRecordAndTheCatalog() throws Exception {
    committed("gs-1", true, "a1", "a2");
    probe.answers.put("a1", CaptureCondition.CAPTURE_PRESENT);
    probe.answers.put("a2", CaptureCondition.CAPTURE_MISSING);

    Scrubber.Result r = scrubber.check("gs-1", false, term);

    assertThat(r.damaged()).isTrue();
    assertThat(r.complete()).isTrue();
    assertThat(probe.calls).containsExactlyInAnyOrder("a1 gs-1 epoch 1 [data]", "a2 gs-1 epoch 1 [data]");
    for (GroupSnapshot g : List.of(store.get("gs-1").orElseThrow(), manifest("gs-1"))) {
      assertThat(g.getState()).as("the decision never changes").isEqualTo(GroupSnapshotState.COMMITTED);
      assertThat(conditionOf(g, "a1")).isEqualTo(CaptureCondition.CAPTURE_PRESENT);
      assertThat(conditionOf(g, "a2")).isEqualTo(CaptureCondition.CAPTURE_MISSING);
      assertThat(g.getMembers(1).getCheck().getDetail()).contains("/snaps/data/gs-1 is gone");
    }
  }

  @Test
  void anUnreachableMember_isNotDamage_andKeepsItsEarlierFinding() throws Exception {
    committed("gs-1", true, "a1", "a2");
    probe.answers.put("a1", CaptureCondition.CAPTURE_PRESENT);
    Scrubber.Result first = scrubber.check("gs-1", false, term);
    assertThat(first.damaged()).isFalse();
    assertThat(first.complete()).isFalse();
    assertThat(first.captures()).filteredOn(c -> c.getAgentId().equals("a2")).singleElement()
        .satisfies(c -> assertThat(c.getCondition()).isEqualTo(CaptureCondition.CAPTURE_UNREACHABLE));
    assertThat(store.get("gs-1").orElseThrow().getMembers(1).hasCheck()).isFalse();

    probe.answers.put("a2", CaptureCondition.CAPTURE_ALTERED);
    assertThat(scrubber.check("gs-1", false, term).damaged()).isTrue();
    probe.answers.remove("a2");
    Scrubber.Result later = scrubber.check("gs-1", false, term);
    assertThat(later.damaged()).as("what a2 was last found to be still holds").isTrue();
    assertThat(conditionOf(store.get("gs-1").orElseThrow(), "a2")).isEqualTo(CaptureCondition.CAPTURE_ALTERED);
  }

  @Test
  void anAgentThatIsNotRegistered_isUnreachable_notDamage() throws Exception {
    committed("gs-1", true, "a1", "a3");
    probe.answers.put("a1", CaptureCondition.CAPTURE_PRESENT);
    Scrubber.Result r = scrubber.check("gs-1", false, term);
    assertThat(r.damaged()).isFalse();
    assertThat(r.captures()).filteredOn(c -> c.getAgentId().equals("a3")).singleElement().satisfies(c -> {
      assertThat(c.getCondition()).isEqualTo(CaptureCondition.CAPTURE_UNREACHABLE);
      assertThat(c.getDetail()).isEqualTo("agent a3 is not registered");
    });
  }

  @Test
  void aCaptureFoundAgain_clearsTheDamage() throws Exception {
    committed("gs-1", true, "a1");
    probe.answers.put("a1", CaptureCondition.CAPTURE_MISSING);
    assertThat(scrubber.check("gs-1", false, term).damaged()).isTrue();
    probe.answers.put("a1", CaptureCondition.CAPTURE_PRESENT); // its file system was mounted again
    assertThat(scrubber.check("gs-1", false, term).damaged()).isFalse();
    assertThat(conditionOf(manifest("gs-1"), "a1")).isEqualTo(CaptureCondition.CAPTURE_PRESENT);
  }

  @Test
  void aDamagedGroupSnapshot_canStillBeDeleted() throws Exception {
    GroupSnapshot g = committed("gs-1", true, "a1");
    probe.answers.put("a1", CaptureCondition.CAPTURE_MISSING);
    scrubber.check("gs-1", false, term);
    assertThat(store.markDeleting(g, term.fence()).getState()).isEqualTo(GroupSnapshotState.DELETING);
    assertThat(store.list(false)).isEmpty();
  }

  @Test
  void onlyCommitsEveryMemberConfirmed_areChecked() throws Exception {
    committed("gs-1", false, "a1");
    store.createTxn(GroupSnapshot.newBuilder().setId("gs-2").setState(GroupSnapshotState.ABORTED).setEpoch(1)
        .setCreatedAtMillis(1).build(), term.fence());
    probe.answers.put("a1", CaptureCondition.CAPTURE_MISSING);

    assertThatThrownBy(() -> scrubber.check("gs-1", false, term)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not every member has confirmed its commit yet");
    assertThatThrownBy(() -> scrubber.check("gs-2", false, term)).isInstanceOf(IllegalStateException.class)
        .hasMessage("group snapshot gs-2 is ABORTED; only committed group snapshots can be checked");
    assertThatThrownBy(() -> scrubber.check("gs-3", false, term)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> scrubber.check("../x", false, term)).isInstanceOf(IllegalArgumentException.class);
    assertThat(probe.calls).isEmpty();
  }

  @Test
  void aDeletionDuringTheCheck_wins_andNothingIsRecordedOverIt() throws Exception {
    GroupSnapshot g = committed("gs-1", true, "a1");
    probe.answers.put("a1", CaptureCondition.CAPTURE_MISSING);
    probe.duringCall = () -> {
      try {
        store.markDeleting(g, term.fence());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    Scrubber.Result r = scrubber.check("gs-1", false, term);
    assertThat(r.snapshot().getState()).isEqualTo(GroupSnapshotState.DELETING);
    assertThat(store.get("gs-1").orElseThrow().getMembers(0).hasCheck()).isFalse();
    assertThat(store.list(false)).as("the catalog entry is not brought back").isEmpty();
  }

  @Test
  void aDeposedLeader_cannotRecordFindings() throws Exception {
    committed("gs-1", true, "a1");
    probe.answers.put("a1", CaptureCondition.CAPTURE_MISSING);
    zk.delete().forPath(latch);
    assertThatThrownBy(() -> scrubber.check("gs-1", false, term)).isInstanceOf(FencedWriteException.class);
    assertThat(store.get("gs-1").orElseThrow().getMembers(0).hasCheck()).isFalse();
    assertThat(manifest("gs-1").getMembers(0).hasCheck()).isFalse();
  }

  @Test
  void thePeriodicScrub_checksEveryCheckableGroupSnapshot_onlyWhileLeading() throws Exception {
    committed("gs-1", true, "a1");
    committed("gs-2", true, "a2");
    committed("gs-3", false, "a1");
    probe.answers.put("a1", CaptureCondition.CAPTURE_PRESENT);
    probe.answers.put("a2", CaptureCondition.CAPTURE_MISSING);

    assertThat(scrubber.scrubOnce(Optional::empty)).isZero();
    assertThat(probe.calls).isEmpty();
    assertThat(scrubber.scrubOnce(() -> Optional.of(term))).isEqualTo(2);
    assertThat(conditionOf(manifest("gs-1"), "a1")).isEqualTo(CaptureCondition.CAPTURE_PRESENT);
    assertThat(conditionOf(manifest("gs-2"), "a2")).isEqualTo(CaptureCondition.CAPTURE_MISSING);
    assertThat(manifest("gs-3").getMembers(0).hasCheck()).as("not finalized: left alone").isFalse();
  }

  @Test
  void longOrControlCharacterDetails_areKeptToOneBoundedLine() {
    String detail = Scrubber.bounded("line one\nline two " + "x".repeat(1000));
    assertThat(detail).doesNotContain("\n").hasSize(Scrubber.MAX_DETAIL + 3).endsWith("...");
  }
}
