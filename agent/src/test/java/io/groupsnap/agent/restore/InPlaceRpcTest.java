package io.groupsnap.agent.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.restore.InPlaceFixture.StopWriter;
import io.groupsnap.agent.rpc.AgentRestoreGrpcService;
import io.groupsnap.common.ServerEdge;
import io.groupsnap.proto.v1.AgentRestoreServiceGrpc;
import io.groupsnap.proto.v1.GetRestoreRequest;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.InPlaceStep;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.StageInPlaceRequest;
import io.groupsnap.proto.v1.StepInPlaceRequest;
import io.groupsnap.proto.v1.StepInPlaceResponse;
import io.groupsnap.proto.v1.SwitchState;
import io.groupsnap.proto.v1.TxnHeader;
import io.groupsnap.proto.v1.VolumeSwitchStatus;
import io.groupsnap.proto.v1.VolumeTarget;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-place restore RPCs over a real socket: the leader's sequence, fencing and malformed requests. */
class InPlaceRpcTest {
  static final String R = "r-7";

  @TempDir Path tmp;
  InPlaceFixture f;
  Server server;
  ManagedChannel channel;
  AgentRestoreServiceGrpc.AgentRestoreServiceBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    f = new InPlaceFixture(tmp);
    InPlaceRestores inPlace = f.agent(new StopWriter("app", 1, f.events));
    server = ServerEdge.bounded(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)))
        .addService(new AgentRestoreGrpcService(f.planner, inPlace)).build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    stub = AgentRestoreServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    f.close();
  }

  static TxnHeader header(long epoch) {
    return TxnHeader.newBuilder().setClusterId(InPlaceFixture.CLUSTER).setEpoch(epoch)
        .setTxnId(InPlaceFixture.GS).build();
  }

  private StepInPlaceResponse step(long epoch, InPlaceStep s, boolean restored) {
    return stub.stepInPlace(StepInPlaceRequest.newBuilder().setHeader(header(epoch)).setRestoreId(R).setStep(s)
        .setRestored(restored).build());
  }

  @Test
  void theLeadersSequence_bringsTheCaptureBackInPlace() throws Exception {
    StageInPlaceRequest stage = StageInPlaceRequest.newBuilder().setHeader(header(3)).setRestoreId(R)
        .addVolumes(VolumeTarget.newBuilder().setVolume("db")).build();
    assertThat(stub.stageInPlace(stage.toBuilder().setDryRun(true).build()).getVolumesList())
        .extracting(MemberRestore::getState).containsExactly(RestoreState.RESTORE_CHECKED);
    assertThat(f.journal(R)).doesNotExist();
    stub.stageInPlace(stage);
    await().until(() -> stub.getRestore(GetRestoreRequest.newBuilder().setRestoreId(R).build()).getVolumes(0)
        .getState() != RestoreState.RESTORE_RUNNING);
    MemberRestore m = stub.getRestore(GetRestoreRequest.newBuilder().setRestoreId(R).build()).getVolumes(0);
    assertThat(m.getState()).isEqualTo(RestoreState.RESTORE_DONE);
    assertThat(m.getPath()).isEqualTo(f.switchOf(R).staged().toString());

    assertThat(step(3, InPlaceStep.STOP_WRITERS, false).getWritersStopped()).isTrue();
    f.record(R, InPlaceState.IN_PLACE_SWITCHING);
    StepInPlaceResponse switched = step(3, InPlaceStep.SWITCH, false);
    assertThat(switched.getVolumesList()).extracting(VolumeSwitchStatus::getState)
        .containsExactly(SwitchState.SWITCH_NEW);
    assertThat(switched.getVolumes(0).getLive()).isEqualTo(f.live.toString());
    assertThat(Trees.describe(f.live)).isEqualTo(f.captured);

    // a deposed leader's call is refused, and changes nothing
    StatusRuntimeException stale = catchThrowableOfType(StatusRuntimeException.class,
        () -> step(2, InPlaceStep.DISCARD, false));
    assertThat(stale.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(Trees.describe(f.live)).isEqualTo(f.captured);

    assertThat(step(3, InPlaceStep.START_WRITERS, true).getOk()).isTrue();
    assertThat(step(3, InPlaceStep.CONFIRM, false).getOk()).isTrue();
    assertThat(f.switchOf(R).replaced()).doesNotExist();
    assertThat(Trees.describe(f.live)).isEqualTo(f.captured);
    assertThat(f.events).containsExactly("app:pre [db]", "app:post restored=true");
  }

  @Test
  void malformedAndRefusedRequests_haveTheirStatus() {
    StatusRuntimeException noStep = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.stepInPlace(StepInPlaceRequest.newBuilder().setHeader(header(3)).setRestoreId(R).build()));
    assertThat(noStep.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    StatusRuntimeException target = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.stageInPlace(StageInPlaceRequest.newBuilder().setHeader(header(3)).setRestoreId(R)
            .addVolumes(VolumeTarget.newBuilder().setVolume("db").setTarget("/elsewhere")).build()));
    assertThat(target.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(target.getStatus().getDescription()).contains("volume db");
    StatusRuntimeException unknown = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.getRestore(GetRestoreRequest.newBuilder().setRestoreId("r-none").build()));
    assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(step(3, InPlaceStep.DISCARD, false).getOk()).isTrue(); // unknown: nothing to discard
    assertThat(step(3, InPlaceStep.SWITCH, false).getOk()).isFalse();
  }
}
