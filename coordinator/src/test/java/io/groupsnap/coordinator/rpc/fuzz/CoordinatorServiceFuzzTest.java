package io.groupsnap.coordinator.rpc.fuzz;

import io.groupsnap.common.tls.Transport;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.Printable;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.fuzz.FuzzChecks;
import io.groupsnap.common.fuzz.Hostile;
import io.groupsnap.common.fuzz.ShortFuzz;
import io.groupsnap.coordinator.Coordinator;
import io.groupsnap.coordinator.CoordinatorConfig;
import io.groupsnap.proto.v1.CheckGroupSnapshotRequest;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.DeleteGroupSnapshotRequest;
import io.groupsnap.proto.v1.ForgetAgentRequest;
import io.groupsnap.proto.v1.GetGroupSnapshotRequest;
import io.groupsnap.proto.v1.ListGroupSnapshotsRequest;
import io.groupsnap.proto.v1.MemberSelector;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fuzzes the coordinator's request handlers — CreateGroupSnapshot, Delete, Get, List, Check, ForgetAgent — with
 * hostile fields (odd and huge ids and member names, negative and huge timeouts), over a real socket to one real
 * leader with a real ZooKeeper for the class. No agent is registered, so no input may start anything: every call
 * ends with a status among the documented ones (never UNKNOWN or INTERNAL), its description is one printable line of
 * bounded length, and no transaction record is ever written.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CoordinatorServiceFuzzTest {
  static final List<String> IDS = List.of("gs-1", "gs-2");
  static final List<String> AGENTS = List.of("agent-1", "agent-2");
  static final Set<Status.Code> EXPECTED = EnumSet.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
      Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION, Status.Code.ALREADY_EXISTS);
  private static final ZkLayout LAYOUT = new ZkLayout("default");
  private static TestingServer zk;
  private static Coordinator coordinator;
  private static ManagedChannel channel;
  private static CuratorFramework client;

  private static synchronized void start() throws Exception {
    if (coordinator != null) {
      return;
    }
    System.setProperty("zookeeper.forceSync", "no"); // this server's data is thrown away: no fsync per write
    zk = new TestingServer(true);
    coordinator = new Coordinator(CoordinatorConfig.defaults("default", zk.getConnectString(),
        new HostPort("127.0.0.1", 0)), Transport.insecure()).start();
    channel = NettyChannelBuilder.forTarget(coordinator.endpoint().toString()).usePlaintext().build();
    client = ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10));
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(coordinator::isLeader);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      channel.shutdownNow();
      client.close();
      try {
        coordinator.close();
        zk.close();
      } catch (Exception e) {
        // going away anyway
      }
    }));
  }

  @FuzzTest(maxDuration = "5m")
  void calls(FuzzedDataProvider data) throws Exception {
    start();
    CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub = CoordinatorServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(20, TimeUnit.SECONDS);
    int calls = data.consumeInt(1, 6);
    for (int i = 0; i < calls; i++) {
      String method = "?";
      Status.Code code = Status.Code.OK;
      Status status = null;
      try {
        switch (data.consumeInt(0, 5)) {
          case 0 -> {
            method = "CreateGroupSnapshot";
            CreateGroupSnapshotRequest.Builder q = CreateGroupSnapshotRequest.newBuilder()
                .setId(data.consumeBoolean() ? "" : Hostile.string(data, IDS))
                .setFreezeTimeoutMillis(Hostile.number(data, 0, 5000)).setLeaseMillis(Hostile.number(data, 0, 30_000))
                .setPrepareTimeoutMillis(Hostile.number(data, 0, 10_000)).setAllowMissing(data.consumeBoolean());
            int members = data.consumeInt(0, 4);
            for (int m = 0; m < members; m++) {
              q.addMembers(MemberSelector.newBuilder().setAgentId(Hostile.string(data, AGENTS))
                  .setVolume(data.consumeBoolean() ? "" : Hostile.string(data, List.of("data"))));
            }
            stub.createGroupSnapshot(q.build()).forEachRemaining(e -> { });
          }
          case 1 -> {
            method = "DeleteGroupSnapshot";
            stub.deleteGroupSnapshot(DeleteGroupSnapshotRequest.newBuilder().setId(Hostile.string(data, IDS)).build());
          }
          case 2 -> {
            method = "GetGroupSnapshot";
            stub.getGroupSnapshot(GetGroupSnapshotRequest.newBuilder().setId(Hostile.string(data, IDS)).build());
          }
          case 3 -> {
            method = "ListGroupSnapshots";
            assertThat(stub.listGroupSnapshots(ListGroupSnapshotsRequest.newBuilder()
                .setIncludeAborted(data.consumeBoolean()).build()).getSnapshotsList()).isEmpty();
          }
          case 4 -> {
            method = "CheckGroupSnapshot";
            stub.checkGroupSnapshot(CheckGroupSnapshotRequest.newBuilder().setId(Hostile.string(data, IDS))
                .setChecksum(data.consumeBoolean()).build());
          }
          default -> {
            method = "ForgetAgent";
            stub.forgetAgent(ForgetAgentRequest.newBuilder().setAgentId(Hostile.string(data, AGENTS)).build());
          }
        }
      } catch (StatusRuntimeException e) {
        status = e.getStatus();
        code = status.getCode();
      }
      assertThat(EXPECTED).as("%s ended with %s", method, status).contains(code);
      if (status != null) {
        assertThat(status.getDescription()).as("%s has a description", status).isNotNull();
        FuzzChecks.printableLine("status description", status.getDescription(), Printable.LINE_CHARS + 20);
      }
    }
    assertThat(client.checkExists().forPath(LAYOUT.txns()) == null
        || client.getChildren().forPath(LAYOUT.txns()).isEmpty()).as("no transaction was started").isTrue();
  }

  @Test
  @Order(1)
  void shortRun() throws Exception {
    start(); // ZooKeeper's and the coordinator's start-up are not part of the budget
    ShortFuzz.Report r = ShortFuzz.of(CoordinatorServiceFuzzTest.class, "calls").budget(2500, 3000).maxLength(512)
        .run(this::calls);
    assertThat(r.runs()).isGreaterThan(r.seeds());
  }
}
