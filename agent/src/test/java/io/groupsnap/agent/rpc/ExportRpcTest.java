package io.groupsnap.agent.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.export.ExecTarget;
import io.groupsnap.agent.export.ExportManager;
import io.groupsnap.agent.export.ExportTargetConfig;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.volume.ArgvTemplate;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.CommitRequest;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.ExportStatusResponse;
import io.groupsnap.proto.v1.ForgetExportRequest;
import io.groupsnap.proto.v1.FreezeRequest;
import io.groupsnap.proto.v1.GetExportRequest;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.PrepareRequest;
import io.groupsnap.proto.v1.StartExportRequest;
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
import java.nio.file.attribute.PosixFilePermissions;
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

/** StartExport, GetExport and ForgetExport through the agent's gRPC edge, with a real exec target. */
class ExportRpcTest {
  @TempDir Path tmp;
  ScheduledExecutorService scheduler;
  ExportManager exports;
  Server server;
  ManagedChannel channel;
  AgentServiceGrpc.AgentServiceBlockingStub stub;
  Path backups;
  Path forgotten;

  @BeforeEach
  void start() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("f"), "v1");
    DirVolume volume = new DirVolume("data", data, tmp.resolve("snaps"), true, false);
    SnapshotCatalog catalog = SnapshotCatalog.onDisk(tmp.resolve("state"));
    EpochFence fence = new EpochFence(tmp.resolve("state"), "c-1");
    Participant p = new Participant("a1", List.of(volume), List.of(), catalog, fence, tmp.resolve("snaps"),
        Duration.ofSeconds(60), scheduler, Clock.systemUTC());
    backups = Files.createDirectories(tmp.resolve("backups"));
    forgotten = tmp.resolve("forgotten");
    Path copy = script("copy.sh", "#!/bin/sh\nset -e\nmkdir -p \"$2\"\ncp -R \"$1/.\" \"$2\"\necho \"$3\"\n");
    Path forget = script("forget.sh", "#!/bin/sh\necho \"$1\" >> '" + forgotten + "'\n");
    ExecTarget target = new ExecTarget(new ExportTargetConfig.Exec("nas", ArgvTemplate.of(List.of(copy.toString(),
        "{path}", backups + "/{run}/{member}", "{snapshot}.{volume}"), ExportTargetConfig.Exec.EXPORT_PLACEHOLDERS),
        ArgvTemplate.of(List.of(forget.toString(), "{id}"), ExportTargetConfig.Exec.FORGET_PLACEHOLDERS),
        Duration.ofMinutes(1)));
    exports = new ExportManager("a1", List.of(target), catalog, ExportManager.CaptureLocator.byVolumes(List.of(
        volume)), fence, tmp.resolve("state"), 1, Clock.systemUTC(), ExportManager.Listener.NONE);
    exports.start();
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(new AgentGrpcService(p, null,
        exports)).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  Path script(String name, String text) throws Exception {
    Path f = tmp.resolve(name);
    Files.writeString(f, text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
    return f;
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    exports.close();
    scheduler.shutdownNow();
  }

  static TxnHeader header(long epoch, String txn) {
    return TxnHeader.newBuilder().setClusterId("c-1").setEpoch(epoch).setTxnId(txn).build();
  }

  ExportStatusResponse startExport(TxnHeader h, String run) {
    return stub.startExport(StartExportRequest.newBuilder().setHeader(h).setRunId(run).setGroup("shop")
        .setTarget("nas").build());
  }

  Status refusal(Runnable call) {
    return catchThrowableOfType(StatusRuntimeException.class, call::run).getStatus();
  }

  @Test
  void onlyACommittedGroupSnapshot_isExported_onceEvenWhenAskedTwice_andForgottenAgain() throws Exception {
    TxnHeader h = header(1, "gs-1");
    Status unknown = refusal(() -> startExport(h, "run-1"));
    assertThat(unknown.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(unknown.getDescription()).isEqualTo("agent a1 keeps no capture of group snapshot gs-1");

    stub.prepare(PrepareRequest.newBuilder().setHeader(h).setLeaseMillis(5000).build());
    stub.freeze(FreezeRequest.newBuilder().setHeader(h).setLeaseMillis(5000).build());
    stub.thaw(ThawRequest.newBuilder().setHeader(h).build());
    Status uncommitted = refusal(() -> startExport(h, "run-1"));
    assertThat(uncommitted.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(uncommitted.getDescription()).isEqualTo("group snapshot gs-1 is not committed on agent a1: only kept "
        + "captures are exported");
    assertThat(backups.toFile().list()).isEmpty();

    stub.commit(CommitRequest.newBuilder().setHeader(h).build());
    assertThat(startExport(h, "run-1").getExportsList()).singleElement().satisfies(e -> {
      assertThat(e.getAgentId()).isEqualTo("a1");
      assertThat(e.getVolume()).isEqualTo("data");
      assertThat(e.getAttempts()).isEqualTo(1);
    });
    await().atMost(Duration.ofSeconds(20)).until(() -> stub.getExport(GetExportRequest.newBuilder()
        .setRunId("run-1").build()).getExports(0).getState() == ExportState.EXPORT_DONE);
    MemberExport done = startExport(h, "run-1").getExports(0); // answered as it is, not run again
    assertThat(done.getState()).isEqualTo(ExportState.EXPORT_DONE);
    assertThat(done.getAttempts()).isEqualTo(1);
    assertThat(done.getRepositorySnapshotId()).isEqualTo("gs-1.data");
    assertThat(backups.resolve("run-1/a1:data/f")).hasContent("v1");

    assertThat(stub.forgetExport(ForgetExportRequest.newBuilder().setHeader(h).setRunId("run-1").setGroup("shop")
        .build()).getForgotten()).isEqualTo(1);
    assertThat(forgotten).hasContent("gs-1.data");
    assertThat(stub.getExport(GetExportRequest.newBuilder().setRunId("run-1").build()).getExports(0).getState())
        .isEqualTo(ExportState.EXPORT_FORGOTTEN);
  }

  @Test
  void aStaleEpoch_isRefused_andBadInputIsInvalidArgument() {
    stub.prepare(PrepareRequest.newBuilder().setHeader(header(2, "gs-2")).setLeaseMillis(5000).build());
    Status stale = refusal(() -> startExport(header(1, "gs-2"), "run-1"));
    assertThat(stale.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(stale.getDescription()).contains("stale epoch 1");
    Status staleForget = refusal(() -> stub.forgetExport(ForgetExportRequest.newBuilder()
        .setHeader(header(1, "gs-2")).setRunId("run-1").setGroup("shop").build()));
    assertThat(staleForget.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);

    Status bad = refusal(() -> startExport(header(2, "gs-2"), "../run"));
    assertThat(bad.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(bad.getDescription()).startsWith("run_id '../run' is not a valid name");
    assertThat(refusal(() -> stub.getExport(GetExportRequest.getDefaultInstance())).getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }
}
