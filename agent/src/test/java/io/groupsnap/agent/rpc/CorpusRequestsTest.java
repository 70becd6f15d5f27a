package io.groupsnap.agent.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.CodedOutputStream;
import io.groupsnap.agent.export.ExecTarget;
import io.groupsnap.agent.export.ExportManager;
import io.groupsnap.agent.export.ExportTargetConfig;
import io.groupsnap.agent.scrub.CaptureChecker;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.volume.ArgvTemplate;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.common.Formats;
import io.groupsnap.common.testing.Corpus;
import io.groupsnap.common.testing.RawBytes;
import io.groupsnap.proto.v1.AbortResponse;
import io.groupsnap.proto.v1.CaptureCondition;
import io.groupsnap.proto.v1.CheckSnapshotResponse;
import io.groupsnap.proto.v1.CommitResponse;
import io.groupsnap.proto.v1.DeleteSnapshotResponse;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.ExportStatusResponse;
import io.groupsnap.proto.v1.ForgetExportResponse;
import io.groupsnap.proto.v1.FreezeResponse;
import io.groupsnap.proto.v1.PrepareRequest;
import io.groupsnap.proto.v1.PrepareResponse;
import io.groupsnap.proto.v1.ThawResponse;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The requests a 0.1 coordinator sent (the recorded corpus, {@link Corpus}), sent byte for byte to today's agent — a
 * real {@link Participant} with a directory volume, a capture checker and an exec export target behind its gRPC
 * service — are accepted and acted on through a whole group snapshot's life; a request of the next protocol version
 * is refused with FAILED_PRECONDITION naming both versions, before anything is touched.
 */
class CorpusRequestsTest {
  static final Map<String, Corpus.Entry> V01 = Corpus.byFile("v0.1");
  static final String CLUSTER = "3f0c9a52-6d1e-4b7a-9c41-2b8e5f7d1a60";
  static final String SERVICE = "groupsnap.v1.AgentService/";
  @TempDir Path tmp;
  ScheduledExecutorService scheduler;
  ExportManager exports;
  Server server;
  ManagedChannel channel;
  Path backups;

  @BeforeEach
  void start() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("orders.db"), "v1");
    DirVolume volume = new DirVolume("data", data, tmp.resolve("snaps"), true, false);
    SnapshotCatalog catalog = SnapshotCatalog.onDisk(tmp.resolve("state"));
    EpochFence fence = new EpochFence(tmp.resolve("state"), CLUSTER);
    Participant p = new Participant("a1", List.of(volume), List.of(), catalog, fence, tmp.resolve("snaps"),
        Duration.ofSeconds(60), scheduler, Clock.systemUTC());
    CaptureChecker checker = new CaptureChecker("a1", List.of(volume), catalog, fence, p::isBusy, false,
        Clock.systemUTC());
    backups = Files.createDirectories(tmp.resolve("backups"));
    Path copy = script("copy.sh", "#!/bin/sh\nset -e\nmkdir -p \"$2\"\ncp -R \"$1/.\" \"$2\"\necho \"$3\"\n");
    Path forget = script("forget.sh", "#!/bin/sh\nexit 0\n");
    ExecTarget target = new ExecTarget(new ExportTargetConfig.Exec("offsite", ArgvTemplate.of(List.of(
        copy.toString(), "{path}", backups + "/{run}/{member}", "{snapshot}.{volume}"),
        ExportTargetConfig.Exec.EXPORT_PLACEHOLDERS), ArgvTemplate.of(List.of(forget.toString(), "{id}"),
        ExportTargetConfig.Exec.FORGET_PLACEHOLDERS), Duration.ofMinutes(1)));
    exports = new ExportManager("a1", List.of(target), catalog, ExportManager.CaptureLocator.byVolumes(List.of(
        volume)), fence, tmp.resolve("state"), 1, Clock.systemUTC(), ExportManager.Listener.NONE);
    exports.start();
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new AgentGrpcService(p, checker, exports)).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    exports.close();
    scheduler.shutdownNow();
  }

  Path script(String name, String text) throws Exception {
    Path f = tmp.resolve(name);
    Files.writeString(f, text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
    return f;
  }

  /** Sends {@code request} exactly as recorded and returns the answer's bytes. */
  byte[] send(String method, byte[] request) {
    return ClientCalls.blockingUnaryCall(channel.newCall(RawBytes.unary(SERVICE + method),
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)), request);
  }

  byte[] send(String method) {
    return send(method, V01.get(method + "Request.pb").bytes());
  }

  @Test
  void everyRecordedRequest_isAcceptedAndActedOn_throughAGroupSnapshotsLife() throws Exception {
    PrepareResponse prepared = PrepareResponse.parseFrom(send("Prepare"));
    assertThat(prepared.getOk()).as(prepared.getReason()).isTrue();
    FreezeResponse frozen = FreezeResponse.parseFrom(send("Freeze"));
    assertThat(frozen.getFrozen()).as(frozen.getReason()).isTrue();
    assertThat(frozen.getCapturedList()).extracting(c -> c.getVolume()).containsExactly("data");
    assertThat(ThawResponse.parseFrom(send("Thaw")).getUnbroken()).isTrue();
    assertThat(CommitResponse.parseFrom(send("Commit")).getKept()).isEqualTo(1);
    assertThat(CheckSnapshotResponse.parseFrom(send("CheckSnapshot")).getCapturesList()).singleElement()
        .satisfies(c -> assertThat(c.getCondition()).isIn(CaptureCondition.CAPTURE_PRESENT,
            CaptureCondition.CAPTURE_UNVERIFIED));

    assertThat(ExportStatusResponse.parseFrom(send("StartExport")).getExportsList()).singleElement()
        .satisfies(e -> assertThat(e.getVolume()).isEqualTo("data"));
    await().atMost(Duration.ofSeconds(20)).until(() -> ExportStatusResponse.parseFrom(send("GetExport"))
        .getExports(0).getState() == ExportState.EXPORT_DONE);
    ForgetExportResponse.parseFrom(send("ForgetExport"));
    assertThat(DeleteSnapshotResponse.parseFrom(send("DeleteSnapshot")).getDeleted()).isEqualTo(1);
    AbortResponse aborted = AbortResponse.parseFrom(send("Abort")); // of a transaction this agent never saw
    assertThat(aborted.getDeleted()).isZero();
  }

  @Test
  void aRequestWithoutProtocolVersion_isReadAsVersion1_andAccepted() throws Exception {
    byte[] unversioned = V01.get("PrepareRequest.unversioned.pb").bytes();
    assertThat(PrepareRequest.parseFrom(unversioned).getHeader().getProtocolVersion()).isZero();
    assertThat(PrepareResponse.parseFrom(send("Prepare", unversioned)).getOk()).isTrue();
  }

  @Test
  void aRequestOfTheNextProtocolVersion_isRefused_namingBothVersions_andTouchesNothing() throws Exception {
    PrepareRequest recorded = PrepareRequest.parseFrom(V01.get("PrepareRequest.pb").bytes());
    int next = Formats.CURRENT + 1;
    byte[] newer = recorded.toBuilder().setHeader(recorded.getHeader().toBuilder().setProtocolVersion(next))
        .build().toByteArray();
    Status refused = catchThrowableOfType(StatusRuntimeException.class, () -> send("Prepare", newer)).getStatus();
    assertThat(refused.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(refused.getDescription()).isEqualTo("request of protocol version " + next + " refused: this agent "
        + "speaks protocol version " + Formats.range() + " (upgrade it to the coordinator's release)");
    assertThat(tmp.resolve("snaps")).doesNotExist();
  }

  @Test
  void aFieldAddedByTheNextRelease_isIgnoredByTheAgent() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(V01.get("PrepareRequest.pb").bytes());
    CodedOutputStream c = CodedOutputStream.newInstance(out);
    c.writeString(9_999, "from 0.2");
    c.flush();
    assertThat(PrepareResponse.parseFrom(send("Prepare", out.toByteArray())).getOk()).isTrue();
  }
}
