package io.groupsnap.coordinator.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.groupsnap.common.ZkLayout;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.rpc.BackupGrpcService;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.BackupServiceGrpc;
import io.groupsnap.proto.v1.DeleteBackupRunRequest;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.GetBackupRunRequest;
import io.groupsnap.proto.v1.ListBackupRunsRequest;
import io.groupsnap.proto.v1.RunState;
import io.groupsnap.proto.v1.StartBackupRunRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The BackupService over gRPC on a local socket, on a run driver with scripted ports and a real ZooKeeper. */
@Timeout(60)
class BackupServiceTest {
  TestingServer zkServer;
  CuratorFramework zk;
  ManualLane lane = new ManualLane();
  Fakes.Groups groups = new Fakes.Groups();
  Fakes.Snapshots snaps = new Fakes.Snapshots().member("a1", "data").member("a2", "data");
  Fakes.Exports exports = new Fakes.Exports();
  AtomicReference<Leadership.Term> acting = new AtomicReference<>();
  Server server;
  ManagedChannel channel;
  BackupServiceGrpc.BackupServiceBlockingStub stub;

  @BeforeEach
  void setUp() throws Exception {
    zkServer = new TestingServer(true);
    zk = CuratorFrameworkFactory.newClient(zkServer.getConnectString(), new RetryOneTime(100));
    zk.start();
    ZkLayout layout = new ZkLayout("c1");
    ClusterStore cluster = new ClusterStore(zk, layout);
    cluster.ensureCluster();
    zk.create().forPath("/latch");
    ClusterStore.Bump b = cluster.bumpEpoch("/latch", "A");
    acting.set(new Leadership.Term(b.epoch(), new ClusterStore.Fence("/latch", b.epochVersion())));
    groups.put(Fakes.group("db", "repo", "a1", "a2"));
    RunStore store = new RunStore(zk, layout);
    RunDriver.Leader leader = new RunDriver.Leader() {
      @Override
      public Optional<Leadership.Term> acting() {
        return Optional.ofNullable(acting.get());
      }

      @Override
      public Optional<String> leaderId() {
        return Optional.of("10.0.0.9:7300");
      }
    };
    RunDriver driver = new RunDriver(store, groups, () -> List.of(Fakes.agent("a1", "repo", "data"),
        Fakes.agent("a2", "repo", "data")), snaps, exports, leader, lane, lane, RunOptions.defaults(), "cl", "A");
    RunDeletion deletion = new RunDeletion(store, exports, snaps, lane, lane, "cl", "A");
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new BackupGrpcService(new RunService(driver, store, deletion, leader))).build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    stub = BackupServiceGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void tearDown() throws Exception {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    zk.close();
    zkServer.close();
  }

  private <T> T onLane(Callable<T> call) throws Exception {
    CompletableFuture<T> f = CompletableFuture.supplyAsync(() -> {
      try {
        return call.call();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      lane.drain();
      return f.isDone();
    });
    return f.join();
  }

  private static Status.Code code(Runnable r) {
    return catchThrowableOfType(StatusRuntimeException.class, r::run).getStatus().getCode();
  }

  @Test
  void startGetListDelete_overGrpc() throws Exception {
    BackupRun started = stub.startBackupRun(StartBackupRunRequest.newBuilder().setGroup("db").build());
    assertThat(started.getState()).isEqualTo(RunState.RUN_SNAPSHOTTING);
    assertThat(code(() -> stub.startBackupRun(StartBackupRunRequest.newBuilder().setGroup("db").build())))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(code(() -> stub.deleteBackupRun(DeleteBackupRunRequest.newBuilder().setId(started.getId()).build())))
        .isEqualTo(Status.Code.FAILED_PRECONDITION); // not finished
    lane.advance(Duration.ofSeconds(5));
    BackupRun done = stub.getBackupRun(GetBackupRunRequest.newBuilder().setId(started.getId()).build());
    assertThat(done.getState()).isEqualTo(RunState.RUN_COMPLETED);
    assertThat(stub.listBackupRuns(ListBackupRunsRequest.newBuilder().setGroup("db").build()).getRunsList())
        .extracting(BackupRun::getId).containsExactly(started.getId());
    assertThat(stub.listBackupRuns(ListBackupRunsRequest.newBuilder().setGroup("other").build()).getRunsList())
        .isEmpty();

    BackupRun deleted = onLane(() -> stub.deleteBackupRun(DeleteBackupRunRequest.newBuilder()
        .setId(started.getId()).build()));
    assertThat(deleted.getState()).isEqualTo(RunState.RUN_DELETED);
    assertThat(deleted.getLocalDeleted()).isTrue();
    assertThat(deleted.getExportDeleted()).isTrue();
    assertThat(deleted.getExportsList()).allMatch(e -> e.getState() == ExportState.EXPORT_FORGOTTEN);
    assertThat(exports.forgotten).containsExactly("a1:snap-a1-data", "a2:snap-a2-data");
    assertThat(snaps.deleted).containsExactly(done.getGroupSnapshotId());
    // idempotent
    BackupRun again = onLane(() -> stub.deleteBackupRun(DeleteBackupRunRequest.newBuilder()
        .setId(started.getId()).build()));
    assertThat(again.getState()).isEqualTo(RunState.RUN_DELETED);
    assertThat(snaps.deleted).hasSize(1);
    assertThat(stub.listBackupRuns(ListBackupRunsRequest.getDefaultInstance()).getRunsList()).isEmpty();
    assertThat(stub.listBackupRuns(ListBackupRunsRequest.newBuilder().setIncludeDeleted(true).build())
        .getRunsList()).hasSize(1);
  }

  @Test
  void badInputAndStandby_getMeaningfulCodes() {
    assertThat(code(() -> stub.startBackupRun(StartBackupRunRequest.newBuilder().setGroup("nope").build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(() -> stub.startBackupRun(StartBackupRunRequest.newBuilder().setGroup("db").setId("x").build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(() -> stub.getBackupRun(GetBackupRunRequest.newBuilder().setId("run-20261201-000000-aaaaaa")
        .build()))).isEqualTo(Status.Code.NOT_FOUND);
    acting.set(null);
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.startBackupRun(StartBackupRunRequest.newBuilder().setGroup("db").build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getStatus().getDescription()).startsWith("NOT_LEADER").contains("10.0.0.9:7300");
  }
}
