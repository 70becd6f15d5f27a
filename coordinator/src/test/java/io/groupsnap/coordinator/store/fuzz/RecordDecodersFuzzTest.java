package io.groupsnap.coordinator.store.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.groupsnap.agent.registry.RecordDecisions;
import io.groupsnap.agent.txn.Reaper;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.fuzz.FuzzChecks;
import io.groupsnap.common.fuzz.Hostile;
import io.groupsnap.common.fuzz.ShortFuzz;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.DamagedRecordException;
import io.groupsnap.coordinator.store.KnownAgents;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.EpochRecord;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.KnownAgent;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.VolumeInfo;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fuzzes the decoders of the records groupsnap keeps in ZooKeeper — transaction records, manifests, agent
 * registrations, known agents, the epoch — by writing arbitrary bytes (or real records with hostile fields, cut off or
 * with a bit flipped) into their nodes of a real ZooKeeper and reading them back the ways the coordinator and the
 * agents do. Properties: a listing never fails for a record, and lists every node exactly once, as a record that
 * belongs to its node or as a damaged one whose reason is one line; reading the one record fails only with
 * {@link DamagedRecordException}; the known-agent list and an agent's record decisions never fail; the epoch either
 * decodes or fails as undecodable ({@link InvalidProtocolBufferException}), never with an unchecked exception.
 *
 * <p>One ZooKeeper for the class; each input overwrites the same nodes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecordDecodersFuzzTest {
  static final String TXN = "gs-f";
  static final String AGENT = "agent-f";
  private static final ZkLayout LAYOUT = new ZkLayout("default");
  private static TestingServer server;
  private static CuratorFramework zk;
  private static ClusterStore store;
  private static KnownAgents known;
  private static RecordDecisions decisions;

  private static synchronized void start() throws Exception {
    if (zk != null) {
      return;
    }
    System.setProperty("zookeeper.forceSync", "no"); // this server's data is thrown away: no fsync per write
    server = new TestingServer(true);
    zk = ZkClients.connect(server.getConnectString(), Duration.ofSeconds(10));
    store = new ClusterStore(zk, LAYOUT);
    known = new KnownAgents(zk, LAYOUT, Duration.ofMinutes(1));
    decisions = new RecordDecisions(zk, LAYOUT);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      zk.close();
      try {
        server.close();
      } catch (Exception e) {
        // going away anyway
      }
    }));
  }

  @FuzzTest(maxDuration = "5m")
  void records(FuzzedDataProvider data) throws Exception {
    start();
    write(LAYOUT.txn(TXN), bytes(data, d -> groupSnapshot(d).toByteArray()));
    write(LAYOUT.snapshot(TXN), bytes(data, d -> groupSnapshot(d).toByteArray()));
    write(LAYOUT.agent(AGENT), bytes(data, d -> registration(d).toByteArray()));
    write(LAYOUT.known(AGENT), bytes(data, d -> KnownAgent.newBuilder().setAgentId(Hostile.string(d, List.of(AGENT)))
        .setEndpoint(Hostile.hostile(d)).setLastSeenAtMillis(Hostile.number(d)).build().toByteArray()));
    write(LAYOUT.epoch(), bytes(data, d -> EpochRecord.newBuilder().setEpoch(Hostile.number(d, 1, 7))
        .setLeader(Hostile.hostile(d)).build().toByteArray()));

    onceIn(store.listing(true), TXN, GroupSnapshot::getId);
    onceIn(store.listing(false), TXN, GroupSnapshot::getId);
    onceIn(store.agentListing(), AGENT, AgentRegistration::getAgentId);
    for (DamagedRecord d : store.damaged()) {
      oneLine(d);
    }
    try {
      Optional<GroupSnapshot> g = store.get(TXN);
      g.ifPresent(r -> assertThat(r.getId()).isEqualTo(TXN));
    } catch (DamagedRecordException e) {
      FuzzChecks.printableLine("damage", e.getMessage(), 1000);
    }
    for (KnownAgent k : known.list()) {
      assertThat(k).isNotNull();
    }
    assertThat(decisions.of(TXN)).isIn((Object[]) Reaper.Decision.values());
    try {
      store.epoch();
    } catch (InvalidProtocolBufferException undecodable) {
      // the coordinator cannot bump it: a typed failure at election, which the operator sees
    }
  }

  @Test
  @Order(1)
  void shortRun() throws Exception {
    start(); // ZooKeeper's start-up is not part of the budget
    ShortFuzz.Report r = ShortFuzz.of(RecordDecodersFuzzTest.class, "records").budget(2500, 3000).maxLength(1024)
        .run(this::records);
    assertThat(r.runs()).isGreaterThan(r.seeds());
  }

  /** Raw bytes, or a real record with hostile fields, sometimes cut off or with a bit flipped. */
  private static byte[] bytes(FuzzedDataProvider data, Function<FuzzedDataProvider, byte[]> record) {
    if (data.consumeInt(0, 3) == 0) {
      return data.consumeBytes(data.consumeInt(0, 300));
    }
    byte[] b = record.apply(data);
    switch (data.consumeInt(0, 3)) {
      case 0 -> b = Arrays.copyOf(b, data.consumeInt(0, b.length));
      case 1 -> {
        if (b.length > 0) {
          int at = data.consumeInt(0, b.length - 1);
          b[at] ^= (byte) (1 << data.consumeInt(0, 7));
        }
      }
      default -> { }
    }
    return b;
  }

  private static GroupSnapshot groupSnapshot(FuzzedDataProvider d) {
    GroupSnapshot.Builder g = GroupSnapshot.newBuilder().setId(Hostile.string(d, List.of(TXN)))
        .setStateValue(d.consumeInt(-1, 12)).setCreatedAtMillis(Hostile.number(d)).setEpoch(Hostile.number(d, 1))
        .setCoordinator(Hostile.hostile(d)).setAbortReason(Hostile.hostile(d));
    int members = d.consumeInt(0, 3);
    for (int i = 0; i < members; i++) {
      g.addMembers(MemberRecord.newBuilder().setAgentId(Hostile.string(d, List.of(AGENT))));
    }
    return g.build();
  }

  private static AgentRegistration registration(FuzzedDataProvider d) {
    return AgentRegistration.newBuilder().setAgentId(Hostile.string(d, List.of(AGENT)))
        .setEndpoint(Hostile.string(d, List.of("127.0.0.1:1"))).setMaxFreezeLeaseMillis(Hostile.number(d, 60_000))
        .addVolumes(VolumeInfo.newBuilder().setName(Hostile.string(d, List.of("data"))).setPath(Hostile.hostile(d)))
        .putLabels(Hostile.hostile(d), Hostile.hostile(d)).build();
  }

  private static void write(String path, byte[] bytes) throws Exception {
    if (zk.checkExists().forPath(path) == null) {
      zk.create().creatingParentsIfNeeded().forPath(path, bytes);
    } else {
      zk.setData().forPath(path, bytes);
    }
  }

  private static <T> void onceIn(Listing<T> l, String id, Function<T, String> idOf) {
    long records = l.records().stream().filter(r -> idOf.apply(r).equals(id)).count();
    long damaged = l.damaged().stream().filter(d -> d.getId().equals(id)).count();
    assertThat(records + damaged).as("%s listed once: %s", id, l).isEqualTo(1);
    assertThat(l.records()).allSatisfy(r -> assertThat(idOf.apply(r)).isEqualTo(id));
    l.damaged().forEach(RecordDecodersFuzzTest::oneLine);
  }

  private static void oneLine(DamagedRecord d) {
    FuzzChecks.printableLine("damaged id", d.getId(), 200);
    FuzzChecks.printableLine("damaged path", d.getPath(), 300);
    FuzzChecks.printableLine("damage reason", d.getReason(), 300);
  }
}
