package io.groupsnap.coordinator.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.groupsnap.common.Formats;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.testing.Corpus;
import io.groupsnap.coordinator.groups.GroupStore;
import io.groupsnap.coordinator.runs.RunStore;
import io.groupsnap.coordinator.schedule.ScheduleStore;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.CaptureCheck;
import io.groupsnap.proto.v1.CaptureCondition;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.KnownAgent;
import io.groupsnap.proto.v1.RecordKind;
import io.groupsnap.proto.v1.Schedule;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The records release 0.1 wrote to ZooKeeper (the recorded corpus, {@link Corpus}) are read by today's coordinator
 * readers as the records they are; a record of the next format is quarantined with one line naming both versions
 * rather than misread; and a record the coordinator rewrites keeps the fields a newer release added to it.
 */
class CorpusRecordsTest {
  static final Map<String, Corpus.Entry> V01 = Corpus.byFile("v0.1");
  static final String TXN = "gs-20261203-101500-a1b2c3";
  static final String ABORTED = "gs-20261203-101600-d4e5f6";
  static final String UNVERSIONED = "gs-20261120-080000-99aa00";
  static final String RUN = "run-20261203-020000-0f1e2d";
  static final int NEXT_FIELD = 9_999;
  final ZkLayout layout = new ZkLayout("t");
  TestingServer server;
  CuratorFramework zk;
  ClusterStore store;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    zk = ZkClients.connect(server.getConnectString(), Duration.ofSeconds(10));
    zk.create().creatingParentsIfNeeded().forPath(layout.cluster(), bytes("ClusterRecord.cluster.pb"));
    store = new ClusterStore(zk, layout);
  }

  @AfterEach
  void stop() throws Exception {
    zk.close();
    server.close();
  }

  static byte[] bytes(String file) {
    return V01.get(file).bytes();
  }

  static Message decoded(String file) {
    return V01.get(file).decode();
  }

  void put(String path, byte[] data) throws Exception {
    zk.create().creatingParentsIfNeeded().forPath(path, data);
  }

  void putAll() throws Exception {
    zk.setData().forPath(layout.epoch(), bytes("EpochRecord.epoch.pb"));
    put(layout.txn(TXN), bytes("GroupSnapshot.txn-committed.pb"));
    put(layout.snapshot(TXN), bytes("GroupSnapshot.manifest.pb"));
    put(layout.txn(ABORTED), bytes("GroupSnapshot.txn-aborted.pb"));
    put(layout.txn(UNVERSIONED), bytes("GroupSnapshot.txn-unversioned.pb"));
    put(layout.agent("db-1"), bytes("AgentRegistration.db-1.pb"));
    put(layout.known("db-1"), bytes("KnownAgent.db-1.pb"));
    put(layout.group("orders"), bytes("GroupSpec.orders.pb"));
    put(layout.run(RUN), bytes("BackupRun.completed.pb"));
    put(layout.schedule("orders"), bytes("Schedule.orders.pb"));
  }

  ClusterStore.Fence fence() throws Exception {
    String latch = zk.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(layout.leader() + "/latch-",
        new byte[0]);
    return new ClusterStore.Fence(latch, store.bumpEpoch(latch, "coord-2.example:7400").epochVersion());
  }

  @Test
  void everyRecordOfRelease01_isReadAsTheRecordItIs() throws Exception {
    assertThat(store.ensureCluster()).isEqualTo("3f0c9a52-6d1e-4b7a-9c41-2b8e5f7d1a60");
    putAll();

    assertThat(store.epoch()).isEqualTo(7);
    Listing<GroupSnapshot> txns = store.listing(true);
    assertThat(txns.damaged()).isEmpty();
    assertThat(txns.records()).containsExactlyInAnyOrder((GroupSnapshot) decoded("GroupSnapshot.txn-committed.pb"),
        (GroupSnapshot) decoded("GroupSnapshot.txn-aborted.pb"),
        (GroupSnapshot) decoded("GroupSnapshot.txn-unversioned.pb"));
    assertThat(store.listing(false).records()).containsExactly((GroupSnapshot) decoded("GroupSnapshot.manifest.pb"));
    assertThat(store.get(TXN)).contains((GroupSnapshot) decoded("GroupSnapshot.txn-committed.pb"));
    assertThat(store.agentListing().records()).containsExactly((AgentRegistration) decoded(
        "AgentRegistration.db-1.pb"));
    assertThat(store.damaged()).isEmpty();
    assertThat(new KnownAgents(zk, layout, Duration.ofMinutes(1)).list())
        .containsExactly((KnownAgent) decoded("KnownAgent.db-1.pb"));
    assertThat(new GroupStore(zk, layout).find("orders")).contains((GroupSpec) decoded("GroupSpec.orders.pb"));
    assertThat(new RunStore(zk, layout).find(RUN)).contains((BackupRun) decoded("BackupRun.completed.pb"));
    assertThat(new ScheduleStore(zk, layout).find("orders").orElseThrow().schedule())
        .isEqualTo(decoded("Schedule.orders.pb"));
  }

  @Test
  void aRecordOfTheNextFormat_isQuarantined_withOneLineNamingBothVersions() throws Exception {
    store.ensureCluster();
    int next = Formats.CURRENT + 1;
    put(layout.txn(TXN), ((GroupSnapshot) decoded("GroupSnapshot.txn-committed.pb")).toBuilder()
        .setFormatVersion(next).build().toByteArray());
    put(layout.agent("db-1"), ((AgentRegistration) decoded("AgentRegistration.db-1.pb")).toBuilder()
        .setFormatVersion(next).build().toByteArray());
    put(layout.group("orders"), ((GroupSpec) decoded("GroupSpec.orders.pb")).toBuilder().setFormatVersion(next)
        .build().toByteArray());
    put(layout.run(RUN), ((BackupRun) decoded("BackupRun.completed.pb")).toBuilder().setFormatVersion(next)
        .build().toByteArray());
    put(layout.schedule("orders"), ((Schedule) decoded("Schedule.orders.pb")).toBuilder().setFormatVersion(next)
        .build().toByteArray());

    String tail = " of format version " + next + ", which this groupsnap does not read (it reads " + Formats.range()
        + "): written by a newer groupsnap";
    assertThat(store.listing(true).records()).isEmpty();
    assertThat(store.damaged()).extracting(DamagedRecord::getKind, DamagedRecord::getReason).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple(RecordKind.RECORD_TRANSACTION, "is a GroupSnapshot" + tail),
        org.assertj.core.groups.Tuple.tuple(RecordKind.RECORD_AGENT, "is an AgentRegistration" + tail));
    DamagedRecordException txn = catchThrowableOfType(DamagedRecordException.class, () -> store.get(TXN));
    assertThat(txn.getMessage()).isEqualTo("record " + layout.txn(TXN) + " cannot be used: it is a GroupSnapshot"
        + tail + "; it is quarantined (listed as damaged, skipped by recovery)");
    assertThat(new GroupStore(zk, layout).list().damaged()).extracting(DamagedRecord::getReason)
        .containsExactly("is a GroupSpec" + tail);
    assertThat(catchThrowableOfType(DamagedRecordException.class, () -> new RunStore(zk, layout).find(RUN))
        .damage().getReason()).isEqualTo("is a BackupRun" + tail);
    assertThat(new ScheduleStore(zk, layout).list().damaged()).extracting(DamagedRecord::getReason)
        .containsExactly("is a Schedule" + tail);
  }

  @Test
  void aRecordTheCoordinatorRewrites_keepsFieldsOfTheNextRelease_andIsStampedCurrent() throws Exception {
    store.ensureCluster();
    put(layout.txn(TXN), withNextField(bytes("GroupSnapshot.txn-committed.pb")));
    put(layout.snapshot(TXN), withNextField(bytes("GroupSnapshot.manifest.pb")));
    put(layout.txn(UNVERSIONED), withNextField(bytes("GroupSnapshot.txn-unversioned.pb")));
    put(layout.group("orders"), withNextField(bytes("GroupSpec.orders.pb")));
    put(layout.schedule("orders"), withNextField(bytes("Schedule.orders.pb")));
    ClusterStore.Fence f = fence();

    CaptureCheck found = CaptureCheck.newBuilder().setAgentId("db-1").setVolume("pgdata")
        .setCondition(CaptureCondition.CAPTURE_PRESENT).build();
    assertThat(store.annotateCommitted(TXN, g -> g.toBuilder().setMembers(0, g.getMembers(0).toBuilder()
        .setCheck(found)).build(), f)).isPresent();
    assertThat(store.replaceTxn(UNVERSIONED, g -> true, g -> g.toBuilder().setFinalized(false).build(), f))
        .isPresent();
    GroupStore groups = new GroupStore(zk, layout);
    FencedRecords.Found<GroupSpec> group = groups.lookup("orders").orElseThrow();
    groups.replace(group.record().toBuilder().setDescription("rewritten").build(), group.version(), f);
    ScheduleStore schedules = new ScheduleStore(zk, layout);
    ScheduleStore.Stored schedule = schedules.find("orders").orElseThrow();
    schedules.update(schedule.schedule().toBuilder().setPaused(true).build(), schedule.version(), f);

    for (String path : new String[] {layout.txn(TXN), layout.snapshot(TXN), layout.txn(UNVERSIONED)}) {
      GroupSnapshot g = GroupSnapshot.parseFrom(zk.getData().forPath(path));
      assertThat(g.getUnknownFields().hasField(NEXT_FIELD)).as(path).isTrue();
      assertThat(Formats.effective(g.getFormatVersion())).as(path).isEqualTo(Formats.CURRENT);
    }
    assertThat(GroupSnapshot.parseFrom(zk.getData().forPath(layout.txn(TXN))).getMembers(0).getCheck())
        .isEqualTo(found);
    GroupSpec g = GroupSpec.parseFrom(zk.getData().forPath(layout.group("orders")));
    assertThat(g.getDescription()).isEqualTo("rewritten");
    assertThat(g.getUnknownFields().hasField(NEXT_FIELD)).isTrue();
    Schedule s = Schedule.parseFrom(zk.getData().forPath(layout.schedule("orders")));
    assertThat(s.getPaused()).isTrue();
    assertThat(s.getUnknownFields().hasField(NEXT_FIELD)).isTrue();
  }

  /** {@code bytes} with a field {@link #NEXT_FIELD} appended, as the next release might add one. */
  static byte[] withNextField(byte[] bytes) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(bytes);
    CodedOutputStream c = CodedOutputStream.newInstance(out);
    c.writeString(NEXT_FIELD, "from 0.2");
    c.flush();
    return out.toByteArray();
  }
}
