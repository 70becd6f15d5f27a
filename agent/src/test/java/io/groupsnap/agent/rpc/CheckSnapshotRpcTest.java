package io.groupsnap.agent.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.scrub.CaptureChecker;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.volume.Captures;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.CaptureCondition;
import io.groupsnap.proto.v1.CheckSnapshotRequest;
import io.groupsnap.proto.v1.CheckSnapshotResponse;
import io.groupsnap.proto.v1.CommitRequest;
import io.groupsnap.proto.v1.FreezeRequest;
import io.groupsnap.proto.v1.PrepareRequest;
import io.groupsnap.proto.v1.ThawRequest;
import io.groupsnap.proto.v1.TxnHeader;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CheckSnapshot through the agent's gRPC edge: fingerprints after COMMIT, findings, fencing and bad input. */
class CheckSnapshotRpcTest {
  @TempDir Path tmp;
  ScheduledExecutorService scheduler;
  ScheduledExecutorService fingerprints;
  SnapshotCatalog catalog;
  Server server;
  ManagedChannel channel;
  AgentServiceGrpc.AgentServiceBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    fingerprints = Executors.newSingleThreadScheduledExecutor();
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("f"), "v1");
    DirVolume volume = new DirVolume("data", data, tmp.resolve("snaps"), true, false);
    catalog = SnapshotCatalog.onDisk(tmp.resolve("state"));
    EpochFence fence = new EpochFence(tmp.resolve("state"), "c-1");
    Participant p = new Participant("a1", List.of(volume), List.of(), catalog, fence, tmp.resolve("snaps"),
        Duration.ofSeconds(60), scheduler, Clock.systemUTC());
    CaptureChecker checker = new CaptureChecker("a1", List.of(volume), catalog, fence, p::isBusy, false,
        Clock.systemUTC());
    checker.start(fingerprints, Duration.ofHours(1)); // its first pass finds nothing; COMMIT triggers the next
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(new AgentGrpcService(p, checker))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    scheduler.shutdownNow();
    fingerprints.shutdownNow();
  }

  static TxnHeader header(String cluster, String txn) {
    return TxnHeader.newBuilder().setClusterId(cluster).setEpoch(1).setTxnId(txn).build();
  }

  CheckSnapshotResponse check(TxnHeader h, String... volumes) {
    return stub.checkSnapshot(CheckSnapshotRequest.newBuilder().setHeader(h).addAllVolumes(List.of(volumes)).build());
  }

  @Test
  void aCommittedCapture_isFingerprintedAfterItsCommit_andAGoneOneIsReportedMissing() throws Exception {
    TxnHeader h = header("c-1", "gs-1");
    stub.prepare(PrepareRequest.newBuilder().setHeader(h).setLeaseMillis(5000).build());
    String path = stub.freeze(FreezeRequest.newBuilder().setHeader(h).setLeaseMillis(5000).build())
        .getCaptured(0).getSnapshotPath();
    stub.thaw(ThawRequest.newBuilder().setHeader(h).build());
    stub.commit(CommitRequest.newBuilder().setHeader(h).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> catalog.list("gs-1").get(0).hasFingerprint());

    assertThat(check(h, "data").getCaptures(0).getCondition()).isEqualTo(CaptureCondition.CAPTURE_PRESENT);
    Captures.deleteTree(Path.of(path));
    assertThat(check(h).getCapturesList()).singleElement().satisfies(c -> {
      assertThat(c.getVolume()).isEqualTo("data");
      assertThat(c.getCondition()).isEqualTo(CaptureCondition.CAPTURE_MISSING);
    });
  }

  @Test
  void anotherCluster_isFailedPrecondition_andABadVolumeName_isInvalidArgument() {
    StatusRuntimeException fenced = catchThrowableOfType(StatusRuntimeException.class,
        () -> check(header("c-2", "gs-1"), "data"));
    assertThat(fenced.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    StatusRuntimeException bad = catchThrowableOfType(StatusRuntimeException.class,
        () -> check(header("c-1", "gs-1"), "../etc"));
    assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(bad.getStatus().getDescription()).startsWith("volumes[0] '../etc'");
  }
}
