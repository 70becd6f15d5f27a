package io.groupsnap.coordinator.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.tls.Identity;
import io.groupsnap.common.tls.Role;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.proto.v1.AuditEntry;
import io.groupsnap.proto.v1.AuditOutcome;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.ListAuditResponse;
import io.groupsnap.proto.v1.ListedAuditEntry;
import io.groupsnap.proto.v1.RecordKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit trail against a real ZooKeeper: entries as written (identity, roles, escaped and bounded arguments),
 * pages newest-last with since/limit/token, an undecodable entry listed as damaged, and the leader's retention by
 * count and by age on an injected clock — never by a standby or a deposed term.
 */
class AuditTrailTest {
  static final Identity ALICE = new Identity("alice", Set.of(Role.OPERATOR));
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  TestingServer server;
  CuratorFramework zk;
  ZkLayout layout = new ZkLayout("default");
  AuditStore store;
  Leadership.Term term;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    zk = ZkClients.connect(server.getConnectString(), Duration.ofSeconds(10));
    ClusterStore cluster = new ClusterStore(zk, layout);
    cluster.ensureCluster();
    store = new AuditStore(zk, layout);
    String latch = zk.create().withMode(CreateMode.EPHEMERAL).forPath(layout.leader() + "/latch-1");
    term = new Leadership.Term(1, new ClusterStore.Fence(latch, 0));
  }

  @AfterEach
  void stop() throws Exception {
    zk.close();
    server.close();
  }

  AuditTrail trailAt(Instant now) {
    return new AuditTrail(store, Clock.fixed(now, ZoneOffset.UTC), "10.0.0.1:7300");
  }

  /** {@code n} finished calls at {@code at}, each two entries (STARTED, SUCCEEDED). */
  void calls(Instant at, int n) throws Exception {
    AuditTrail trail = trailAt(at);
    for (int i = 0; i < n; i++) {
      AuditTrail.Call c = trail.call(ALICE, "ForgetAgent", AuditArguments.of().with("agent_id", "a" + i));
      c.started("");
      c.finished(AuditOutcome.AUDIT_SUCCEEDED, "forgotten", "");
    }
  }

  List<AuditEntry> all() throws Exception {
    return new AuditPages(store).page(0, 0, "").getEntriesList().stream().map(ListedAuditEntry::getEntry).toList();
  }

  @Test
  void aCall_leavesItsRequestThenItsOutcome_naming_whoWhatWhereAndTheRequestEntry() throws Exception {
    AuditTrail.Call c = trailAt(T0).call(ALICE, "DeleteGroupSnapshot",
        AuditArguments.of().with("id", "gs-1").with("note", "line\nbreak" + "x".repeat(1000)));
    c.started("gs-1");
    c.finished(AuditOutcome.AUDIT_DELETED, "2 capture(s) deleted", "gs-1");

    List<ListedAuditEntry> listed = new AuditPages(store).page(0, 0, "").getEntriesList();
    assertThat(listed).hasSize(2);
    AuditEntry started = listed.get(0).getEntry();
    AuditEntry done = listed.get(1).getEntry();
    assertThat(started.getOutcome()).isEqualTo(AuditOutcome.AUDIT_STARTED);
    assertThat(started.getIdentity()).isEqualTo("alice");
    assertThat(started.getRolesList()).containsExactly("operator");
    assertThat(started.getAtMillis()).isEqualTo(T0.toEpochMilli());
    assertThat(started.getCoordinator()).isEqualTo("10.0.0.1:7300");
    assertThat(started.getGroupSnapshotId()).isEqualTo("gs-1");
    assertThat(started.getArguments(1).getValue()).startsWith("line\\nbreak").endsWith("…(1010 chars)")
        .doesNotContain("\n");
    assertThat(done.getOutcome()).isEqualTo(AuditOutcome.AUDIT_DELETED);
    assertThat(done.getRequest()).isEqualTo(listed.get(0).getName()).isEqualTo(c.request());
    assertThat(listed.get(1).getName()).isGreaterThan(listed.get(0).getName());
  }

  @Test
  void aDeniedCall_isOneEntry_withTheIdentityAndTheReason() throws Exception {
    trailAt(T0).denied(new Identity("mallory", Set.of(Role.VIEWER)), "DeleteGroupSnapshot",
        "mallory (viewer) lacks the operator role");
    assertThat(all()).singleElement().satisfies(e -> {
      assertThat(e.getOutcome()).isEqualTo(AuditOutcome.AUDIT_DENIED);
      assertThat(e.getIdentity()).isEqualTo("mallory");
      assertThat(e.getRolesList()).containsExactly("viewer");
      assertThat(e.getReason()).isEqualTo("mallory (viewer) lacks the operator role");
    });
  }

  @Test
  void aFailedWrite_refusesTheCall_asUnavailable() throws Exception {
    zk.setACL().withACL(List.of(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE))).forPath(layout.audit());
    AuditTrail.Call c = trailAt(T0).call(ALICE, "ForgetAgent", AuditArguments.of().with("agent_id", "a1"));
    AuditUnavailableException e = catchThrowableOfType(AuditUnavailableException.class, () -> c.started(""));
    assertThat(e).hasMessageStartingWith("audit trail unavailable: ").hasMessageNotContaining("\n");
  }

  @Test
  void pages_holdTheNewestEntriesSince_oldestFirst_andTheTokenLeadsToOlderOnes() throws Exception {
    calls(T0, 3);                                   // 6 entries at T0
    calls(T0.plus(Duration.ofHours(2)), 4);         // 8 entries two hours later
    AuditPages pages = new AuditPages(store);

    ListAuditResponse recent = pages.page(T0.plus(Duration.ofHours(1)).toEpochMilli(), 0, "");
    assertThat(recent.getEntriesList()).hasSize(8)
        .allSatisfy(e -> assertThat(e.getEntry().getAtMillis()).isGreaterThan(T0.toEpochMilli()));
    assertThat(recent.getNextPageToken()).as("nothing older since then").isEmpty();

    ListAuditResponse newest = pages.page(0, 5, "");
    assertThat(newest.getEntriesList()).extracting(ListedAuditEntry::getName).isSorted().hasSize(5);
    ListAuditResponse before = pages.page(0, 5, newest.getNextPageToken());
    assertThat(before.getEntriesList()).hasSize(5);
    assertThat(before.getEntries(4).getName()).isLessThan(newest.getEntries(0).getName());
    ListAuditResponse rest = pages.page(0, 5, before.getNextPageToken());
    assertThat(rest.getEntriesList()).hasSize(4);
    assertThat(rest.getNextPageToken()).isEmpty();

    assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> pages.page(0, 5, "../x")))
        .hasMessage("page_token '../x' is not an audit entry name");
  }

  @Test
  void anUndecodableEntry_isListedAsDamaged_andTheOthersStillAre() throws Exception {
    calls(T0, 1);
    zk.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(layout.auditEntryPrefix(), new byte[] {7, 'x'});
    zk.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(layout.auditEntryPrefix(),
        AuditEntry.newBuilder().setIdentity("no time").build().toByteArray());
    calls(T0, 1);

    ListAuditResponse r = new AuditPages(store).page(0, 0, "");
    assertThat(r.getEntriesList()).hasSize(4);
    assertThat(r.getDamagedList()).hasSize(2).allSatisfy(d -> {
      assertThat(d.getKind()).isEqualTo(RecordKind.RECORD_AUDIT);
      assertThat(d.getPath()).startsWith(layout.audit() + "/e-");
    });
    assertThat(r.getDamagedList()).extracting(DamagedRecord::getReason)
        .containsExactly("does not decode as an AuditEntry (2 bytes)", "decodes to an entry without a time");
  }

  @Test
  void theLeader_prunesTheOldestBeyondTheCount() throws Exception {
    calls(T0, 70);  // 140 entries
    AuditPruner pruner = new AuditPruner(zk, store, AuditRetention.DEFAULT.withMaxEntries(100),
        Clock.fixed(T0, ZoneOffset.UTC));
    List<String> before = store.names();

    assertThat(pruner.pruneOnce(() -> Optional.of(term))).isEqualTo(40);
    assertThat(store.names()).containsExactlyElementsOf(before.subList(40, 140));
    assertThat(pruner.pruneOnce(() -> Optional.of(term))).isZero();
  }

  @Test
  void theLeader_prunesEntriesOlderThanTheRetention_byTheirTime() throws Exception {
    calls(T0, 3);
    calls(T0.plus(Duration.ofDays(60)), 2);
    calls(T0.plus(Duration.ofDays(89)), 1);
    Instant now = T0.plus(Duration.ofDays(120));  // 90 days back: T0+30d
    AuditPruner pruner = new AuditPruner(zk, store, AuditRetention.DEFAULT, Clock.fixed(now, ZoneOffset.UTC));

    assertThat(pruner.pruneOnce(() -> Optional.of(term))).isEqualTo(6);
    assertThat(all()).hasSize(6).allSatisfy(e -> assertThat(e.getAtMillis())
        .isGreaterThanOrEqualTo(T0.plus(Duration.ofDays(60)).toEpochMilli()));
  }

  @Test
  void aStandby_orADeposedTerm_neverPrunes() throws Exception {
    calls(T0, 60);
    AuditPruner pruner = new AuditPruner(zk, store, AuditRetention.DEFAULT.withMaxEntries(100),
        Clock.fixed(T0.plus(Duration.ofDays(365)), ZoneOffset.UTC));

    assertThat(pruner.pruneOnce(Optional::empty)).as("a standby").isZero();
    Leadership.Term stale = new Leadership.Term(1, new ClusterStore.Fence(term.fence().latchPath(), 7));
    assertThat(pruner.pruneOnce(() -> Optional.of(stale))).as("an epoch moved on since the term began").isZero();
    assertThat(store.names()).hasSize(120);
  }
}
