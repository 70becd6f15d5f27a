package io.groupsnap.coordinator.inplace;

import io.groupsnap.proto.v1.AgentRestoreServiceGrpc;
import io.groupsnap.proto.v1.GetRestoreRequest;
import io.groupsnap.proto.v1.InPlaceStep;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.RestoreStatusResponse;
import io.groupsnap.proto.v1.StageInPlaceRequest;
import io.groupsnap.proto.v1.StepInPlaceRequest;
import io.groupsnap.proto.v1.StepInPlaceResponse;
import io.groupsnap.proto.v1.SwitchState;
import io.groupsnap.proto.v1.VolumeSwitchStatus;
import io.groupsnap.proto.v1.VolumeTarget;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An agent's in-place restore calls on a real socket, scripted and recorded: every call it gets is kept in order
 * ("STAGE", "STAGE_DRY", "STEP SWITCH", "STEP START_WRITERS restored", ...) with the epoch it carried. Refuses
 * epochs older than the newest it saw, as a real agent's fence does.
 */
final class FakeInPlaceAgent implements AutoCloseable {
  final String id;
  final List<String> calls = new CopyOnWriteArrayList<>();
  final Server server;
  volatile boolean failStage;
  volatile String refuseDryRun;
  volatile boolean refuseStop;
  final AtomicInteger switchFailures = new AtomicInteger();
  private final Map<String, List<VolumeTarget>> staged = new ConcurrentHashMap<>();
  private volatile long newestEpoch;

  FakeInPlaceAgent(String id) throws Exception {
    this.id = id;
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new Service())
        .build().start();
  }

  String endpoint() {
    return "127.0.0.1:" + server.getPort();
  }

  /** The steps this agent got (no stages, no polls), in order. */
  List<String> steps() {
    return calls.stream().filter(c -> c.startsWith("STEP ")).map(c -> c.substring(5)).toList();
  }

  private boolean fenced(long epoch, StreamObserver<?> out) {
    if (epoch < newestEpoch) {
      out.onError(Status.FAILED_PRECONDITION.withDescription("epoch " + epoch + " is older than " + newestEpoch)
          .asException());
      return false;
    }
    newestEpoch = epoch;
    return true;
  }

  private final class Service extends AgentRestoreServiceGrpc.AgentRestoreServiceImplBase {
    @Override
    public void stageInPlace(StageInPlaceRequest req, StreamObserver<RestoreStatusResponse> out) {
      calls.add(req.getDryRun() ? "STAGE_DRY" : "STAGE");
      if (!fenced(req.getHeader().getEpoch(), out)) {
        return;
      }
      if (req.getDryRun() && refuseDryRun != null) {
        out.onError(Status.FAILED_PRECONDITION.withDescription(refuseDryRun).asException());
        return;
      }
      if (!req.getDryRun()) {
        staged.put(req.getRestoreId(), req.getVolumesList());
      }
      out.onNext(status(req.getVolumesList(), req.getDryRun() ? RestoreState.RESTORE_CHECKED
          : RestoreState.RESTORE_RUNNING));
      out.onCompleted();
    }

    @Override
    public void getRestore(GetRestoreRequest req, StreamObserver<RestoreStatusResponse> out) {
      List<VolumeTarget> v = staged.get(req.getRestoreId());
      if (v == null) {
        out.onError(Status.NOT_FOUND.withDescription("no restore " + req.getRestoreId()).asException());
        return;
      }
      out.onNext(status(v, failStage ? RestoreState.RESTORE_FAILED : RestoreState.RESTORE_DONE));
      out.onCompleted();
    }

    @Override
    public void stepInPlace(StepInPlaceRequest req, StreamObserver<StepInPlaceResponse> out) {
      calls.add("STEP " + req.getStep() + (req.getStep() == InPlaceStep.START_WRITERS
          ? (req.getRestored() ? " restored" : " previous") : ""));
      if (!fenced(req.getHeader().getEpoch(), out)) {
        return;
      }
      StepInPlaceResponse.Builder r = StepInPlaceResponse.newBuilder().setOk(true);
      if (req.getStep() == InPlaceStep.STOP_WRITERS && refuseStop) {
        r.setOk(false).setError("writer db refused preRestore: replication lag");
      } else if (req.getStep() == InPlaceStep.SWITCH && switchFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        r.setOk(false).setError("volume db: rename failed: device busy");
      } else if (req.getStep() == InPlaceStep.SWITCH) {
        r.addVolumes(VolumeSwitchStatus.newBuilder().setVolume("db").setState(SwitchState.SWITCH_NEW)
            .setLive("/data/db"));
      }
      out.onNext(r.build());
      out.onCompleted();
    }
  }

  private RestoreStatusResponse status(List<VolumeTarget> volumes, RestoreState s) {
    RestoreStatusResponse.Builder b = RestoreStatusResponse.newBuilder();
    volumes.forEach(v -> b.addVolumes(MemberRestore.newBuilder().setAgentId(id).setVolume(v.getVolume())
        .setKind("dir").setPath("/data/" + v.getVolume()).setState(s).setBytes(42)
        .setError(s == RestoreState.RESTORE_FAILED ? "no space left on device" : "")));
    return b.build();
  }

  @Override
  public void close() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
