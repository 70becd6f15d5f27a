package io.groupsnap.agent.rpc;

import io.groupsnap.agent.export.ExportException;
import io.groupsnap.agent.export.ExportManager;
import io.groupsnap.agent.export.ExportRefusedException;
import io.groupsnap.agent.scrub.CaptureChecker;
import io.groupsnap.agent.txn.AgentTxnState;
import io.groupsnap.agent.txn.FencedException;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.Results;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.txn.WrongPhaseException;
import io.groupsnap.common.Formats;
import io.groupsnap.common.Names;
import io.groupsnap.common.Printable;
import io.groupsnap.common.ServerEdge;
import io.groupsnap.proto.v1.AbortRequest;
import io.groupsnap.proto.v1.AbortResponse;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.CapturedVolume;
import io.groupsnap.proto.v1.CheckSnapshotRequest;
import io.groupsnap.proto.v1.CheckSnapshotResponse;
import io.groupsnap.proto.v1.CommitRequest;
import io.groupsnap.proto.v1.CommitResponse;
import io.groupsnap.proto.v1.DeleteSnapshotRequest;
import io.groupsnap.proto.v1.DeleteSnapshotResponse;
import io.groupsnap.proto.v1.ExportStatusResponse;
import io.groupsnap.proto.v1.ForgetExportRequest;
import io.groupsnap.proto.v1.ForgetExportResponse;
import io.groupsnap.proto.v1.GetExportRequest;
import io.groupsnap.proto.v1.StartExportRequest;
import io.groupsnap.proto.v1.FreezeRequest;
import io.groupsnap.proto.v1.FreezeResponse;
import io.groupsnap.proto.v1.ListSnapshotsRequest;
import io.groupsnap.proto.v1.ListSnapshotsResponse;
import io.groupsnap.proto.v1.MemberState;
import io.groupsnap.proto.v1.PrepareRequest;
import io.groupsnap.proto.v1.PrepareResponse;
import io.groupsnap.proto.v1.Retry;
import io.groupsnap.proto.v1.ThawRequest;
import io.groupsnap.proto.v1.ThawResponse;
import io.groupsnap.proto.v1.TxnHeader;
import io.groupsnap.proto.v1.VolumeInfo;
import io.groupsnap.common.logging.LogContext;
import io.groupsnap.common.tls.AccessGate;
import io.groupsnap.common.tls.Role;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.Context;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The gRPC edge of the agent: maps messages to {@link Participant} calls and failures to status codes —
 * INVALID_ARGUMENT for malformed requests (field named) and for requests that do not decode, FAILED_PRECONDITION for
 * a stale epoch, another cluster, the wrong phase or a request of a protocol version it does not speak
 * ({@code header.protocol_version}, see {@link Formats}), ABORTED for a PREPARE or FREEZE of a transaction this agent has
 * already aborted, INTERNAL for local I/O failures. Exports: FAILED_PRECONDITION for a capture this agent does not
 * keep, an unknown target or a forget while the run's export is going; UNAVAILABLE for a forget the repository
 * refused (one line saying why); UNIMPLEMENTED when the agent was built without an export manager.
 *
 * <p>Every id and name is checked here, before the participant sees it, and every status description is escaped and
 * bounded ({@link ServerEdge#status}): an answer never echoes an unbounded input. Thread-safe (stateless).
 */
public final class AgentGrpcService implements AgentServiceGrpc.AsyncService, BindableService {
  private final Participant participant;
  private final CaptureChecker checker;
  private final ExportManager exports;

  public AgentGrpcService(Participant participant) {
    this(participant, null);
  }

  /** @param checker answers CheckSnapshot and fingerprints captures after COMMIT; null: CheckSnapshot UNIMPLEMENTED */
  public AgentGrpcService(Participant participant, CaptureChecker checker) {
    this(participant, checker, null);
  }

  /** @param exports runs and answers exports; null: StartExport, GetExport and ForgetExport UNIMPLEMENTED */
  public AgentGrpcService(Participant participant, CaptureChecker checker, ExportManager exports) {
    this.participant = participant;
    this.checker = checker;
    this.exports = exports;
  }

  /**
   * The gate of the AgentService (DESIGN.md G7): every method needs the coordinator role, so that no other caller can
   * freeze, thaw or delete anything here; a refused call ends before its handler runs.
   */
  public static AccessGate coordinatorsOnly(AccessGate.Denials denials) {
    Map<String, Role> needs = new HashMap<>();
    for (MethodDescriptor<?, ?> m : AgentServiceGrpc.getServiceDescriptor().getMethods()) {
      needs.put(m.getFullMethodName(), Role.COORDINATOR);
    }
    return new AccessGate(needs, denials);
  }

  /** The service, guarded so that an undecodable request is INVALID_ARGUMENT ({@link ServerEdge#guard}). */
  @Override
  public ServerServiceDefinition bindService() {
    return ServerEdge.guard(AgentServiceGrpc.bindService(this));
  }

  @Override
  public void prepare(PrepareRequest req, StreamObserver<PrepareResponse> out) {
    handle(out, req.getHeader().getTxnId(), () -> {
      for (int i = 0; i < req.getVolumesCount(); i++) {
        requireName("volumes[" + i + "]", req.getVolumes(i));
      }
      long within = req.getFreezeWithinMillis();
      if (within < 0 || within > Participant.MAX_FREEZE_WITHIN.toMillis()) {
        throw invalid("freeze_within_millis " + within + " is outside [0, " + Participant.MAX_FREEZE_WITHIN.toMillis()
            + "] (0: the agent's default)");
      }
      Results.PrepareResult r = participant.prepare(ref(req.getHeader()), req.getVolumesList(),
          Duration.ofMillis(req.getLeaseMillis()), Duration.ofMillis(within));
      if (r.vote() == Results.Vote.ABORTED) {
        throw aborted(r.reason());
      }
      PrepareResponse.Builder b = PrepareResponse.newBuilder().setOk(r.ok()).setReason(r.reason());
      if (!r.ok()) {
        b.setRetry(r.retryable() ? Retry.RETRYABLE : Retry.NON_RETRYABLE);
      }
      r.volumes().forEach(v -> b.addVolumes(VolumeInfo.newBuilder().setName(v)));
      return b.build();
    });
  }

  @Override
  public void freeze(FreezeRequest req, StreamObserver<FreezeResponse> out) {
    handle(out, req.getHeader().getTxnId(), () -> {
      Results.FreezeResult r = participant.freeze(ref(req.getHeader()), Duration.ofMillis(req.getLeaseMillis()));
      if (r.outcome() == Results.FreezeOutcome.ABORTED) {
        throw aborted(r.reason());
      }
      FreezeResponse.Builder b = FreezeResponse.newBuilder().setFrozen(r.frozen()).setReason(r.reason())
          .setFreezeStartedAtMillis(r.freezeStartedAtMillis()).setTimeToFrozenMillis(r.timeToFrozenMillis());
      if (!r.frozen()) {
        b.setRetry(r.retryable() ? Retry.RETRYABLE : Retry.NON_RETRYABLE);
      }
      r.captures().forEach(c -> b.addCaptured(CapturedVolume.newBuilder().setVolume(c.volume())
          .setSnapshotPath(c.path().toString()).setSnapshotMillis(c.snapshotMillis())));
      return b.build();
    });
  }

  @Override
  public void thaw(ThawRequest req, StreamObserver<ThawResponse> out) {
    handle(out, req.getHeader().getTxnId(), () -> {
      Results.ThawResult r = participant.thaw(ref(req.getHeader()));
      return ThawResponse.newBuilder().setUnbroken(r.unbroken()).setBrokenReason(r.brokenReason())
          .setThawedAtMillis(r.thawedAtMillis()).setHeldMillis(r.heldMillis()).setThawMillis(r.thawMillis())
          .build();
    });
  }

  @Override
  public void commit(CommitRequest req, StreamObserver<CommitResponse> out) {
    handle(out, req.getHeader().getTxnId(), () -> {
      CommitResponse r = CommitResponse.newBuilder().setKept(participant.commit(ref(req.getHeader()))).build();
      if (checker != null) {
        checker.committed(req.getHeader().getTxnId());
      }
      return r;
    });
  }

  @Override
  public void abort(AbortRequest req, StreamObserver<AbortResponse> out) {
    handle(out, req.getHeader().getTxnId(), () -> {
      Results.AbortResult r = participant.abort(ref(req.getHeader()));
      Results.HoldReport h = r.report();
      return AbortResponse.newBuilder().setDeleted(r.deleted()).setWasFrozen(r.wasFrozen())
          .setReached(reached(h.reached())).setFreezeStartedAtMillis(h.freezeStartedAtMillis())
          .setTimeToFrozenMillis(h.timeToFrozenMillis()).setHeldMillis(h.heldMillis())
          .setLeaseExpired(h.leaseExpired()).build();
    });
  }

  /** How far a transaction got here, as a member state; unspecified when this agent knew nothing of it. */
  public static MemberState reached(AgentTxnState s) {
    if (s == null) {
      return MemberState.MEMBER_STATE_UNSPECIFIED;
    }
    return switch (s) {
      case PREPARING, PREPARED, FREEZING -> MemberState.MEMBER_PREPARED;
      case FROZEN -> MemberState.MEMBER_FROZEN;
      case THAWED -> MemberState.MEMBER_THAWED;
      case COMMITTED -> MemberState.MEMBER_COMMITTED;
      case ABORTED -> MemberState.MEMBER_ABORTED;
    };
  }

  @Override
  public void listSnapshots(ListSnapshotsRequest req, StreamObserver<ListSnapshotsResponse> out) {
    handle(out, req.getGroupSnapshotId(), () -> {
      if (!req.getGroupSnapshotId().isEmpty()) {
        requireName("group_snapshot_id", req.getGroupSnapshotId());
      }
      return ListSnapshotsResponse.newBuilder()
          .addAllSnapshots(participant.snapshots(req.getGroupSnapshotId())).build();
    });
  }

  @Override
  public void deleteSnapshot(DeleteSnapshotRequest req, StreamObserver<DeleteSnapshotResponse> out) {
    handle(out, req.getHeader().getTxnId(), () -> DeleteSnapshotResponse.newBuilder()
        .setDeleted(participant.deleteSnapshot(ref(req.getHeader()))).build());
  }

  @Override
  public void checkSnapshot(CheckSnapshotRequest req, StreamObserver<CheckSnapshotResponse> out) {
    if (checker == null) {
      out.onError(Status.UNIMPLEMENTED.withDescription("this agent does not check captures").asException());
      return;
    }
    Context call = Context.current();
    handle(out, req.getHeader().getTxnId(), () -> {
      for (int i = 0; i < req.getVolumesCount(); i++) {
        requireName("volumes[" + i + "]", req.getVolumes(i));
      }
      return CheckSnapshotResponse.newBuilder().addAllCaptures(checker.check(ref(req.getHeader()),
          req.getVolumesList(), req.getChecksum(), call::isCancelled)).build();
    });
  }

  @Override
  public void startExport(StartExportRequest req, StreamObserver<ExportStatusResponse> out) {
    if (noExports(out)) {
      return;
    }
    handle(out, req.getHeader().getTxnId(), () -> {
      TxnRef ref = ref(req.getHeader());
      requireName("run_id", req.getRunId());
      requireName("group", req.getGroup());
      requireName("target", req.getTarget());
      for (int i = 0; i < req.getVolumesCount(); i++) {
        requireName("volumes[" + i + "]", req.getVolumes(i));
      }
      return ExportStatusResponse.newBuilder().addAllExports(exports.startExport(ref, req.getRunId(),
          req.getGroup(), req.getTarget(), req.getVolumesList())).build();
    });
  }

  @Override
  public void getExport(GetExportRequest req, StreamObserver<ExportStatusResponse> out) {
    if (noExports(out)) {
      return;
    }
    handle(out, () -> {
      requireName("run_id", req.getRunId());
      return ExportStatusResponse.newBuilder().addAllExports(exports.status(req.getRunId())).build();
    });
  }

  @Override
  public void forgetExport(ForgetExportRequest req, StreamObserver<ForgetExportResponse> out) {
    if (noExports(out)) {
      return;
    }
    handle(out, req.getHeader().getTxnId(), () -> {
      TxnRef ref = ref(req.getHeader());
      requireName("run_id", req.getRunId());
      requireName("group", req.getGroup());
      if (!req.getTarget().isEmpty()) {
        requireName("target", req.getTarget());
      }
      for (int i = 0; i < req.getRepositorySnapshotIdsCount(); i++) {
        String id = req.getRepositorySnapshotIds(i);
        if (id.length() > 256 || id.chars().anyMatch(Character::isISOControl)) {
          throw invalid("repository_snapshot_ids[" + i + "] '" + Printable.value(id) + "' is not a snapshot id");
        }
      }
      try {
        return ForgetExportResponse.newBuilder().setForgotten(exports.forget(ref, req.getRunId(), req.getGroup(),
            req.getTarget(), req.getRepositorySnapshotIdsList())).build();
      } catch (ExportException e) {
        throw ServerEdge.status(Status.Code.UNAVAILABLE, e.getMessage()).asException();
      }
    });
  }

  private boolean noExports(StreamObserver<?> out) {
    if (exports == null) {
      out.onError(Status.UNIMPLEMENTED.withDescription("this agent does not export").asException());
      return true;
    }
    return false;
  }

  static TxnRef ref(TxnHeader h) throws StatusException {
    if (h.getClusterId().isEmpty()) {
      throw invalid("header.cluster_id is missing");
    }
    if (!Names.isValid(h.getClusterId())) { // a UUID, and at most a name's length: never echoed in full
      throw invalid("header.cluster_id '" + Printable.value(h.getClusterId()) + "' is not a valid cluster id");
    }
    requireName("header.txn_id", h.getTxnId());
    if (h.getEpoch() <= 0) {
      throw invalid("header.epoch must be positive");
    }
    if (!Formats.readable(h.getProtocolVersion())) { // a newer coordinator's request: refused rather than misread
      throw ServerEdge.status(Status.Code.FAILED_PRECONDITION, "request of protocol version "
          + Formats.effective(h.getProtocolVersion()) + " refused: this agent speaks protocol version "
          + Formats.range() + " (upgrade it to the coordinator's release)").asException();
    }
    return new TxnRef(h.getClusterId(), h.getEpoch(), h.getTxnId());
  }

  static void requireName(String field, String value) throws StatusException {
    if (!Names.isValid(value)) {
      throw invalid(field + " '" + Printable.value(value) + "' is not a valid name");
    }
  }

  private static StatusException aborted(String message) {
    return ServerEdge.status(Status.Code.ABORTED, message).asException();
  }

  private static StatusException invalid(String message) {
    return ServerEdge.status(Status.Code.INVALID_ARGUMENT, message).asException();
  }

  /** A call that may fail with a domain exception. */
  @FunctionalInterface
  private interface Call<T> {
    T run() throws Exception;
  }

  /**
   * As {@link #handle(StreamObserver, Call)}, naming transaction {@code txnId} on every log line written meanwhile
   * (once per call; an id that is not a valid name is left out rather than written into a log line).
   */
  private static <T> void handle(StreamObserver<T> out, String txnId, Call<T> call) {
    try (LogContext ignored = LogContext.txn(Names.isValid(txnId) ? txnId : null)) {
      handle(out, call);
    }
  }

  private static <T> void handle(StreamObserver<T> out, Call<T> call) {
    if (Context.current().isCancelled()) {
      // the caller's deadline passed before this request was even looked at (it waited in a queue or in a cut-off
      // TCP connection): the caller has moved on, and acting now could revive an aborted transaction
      out.onError(ServerEdge.status(Status.Code.DEADLINE_EXCEEDED,
          "request arrived after its deadline; not acted upon").asException());
      return;
    }
    T result;
    try {
      result = call.run();
    } catch (StatusException e) {
      out.onError(e);
      return;
    } catch (FencedException | WrongPhaseException | ExportRefusedException e) {
      out.onError(ServerEdge.status(Status.Code.FAILED_PRECONDITION, e.getMessage()).asException());
      return;
    } catch (IllegalArgumentException e) {
      out.onError(ServerEdge.status(Status.Code.INVALID_ARGUMENT, e.getMessage()).asException());
      return;
    } catch (IOException e) {
      out.onError(ServerEdge.status(Status.Code.INTERNAL, e.getMessage()).asException());
      return;
    } catch (Exception e) {
      out.onError(ServerEdge.status(Status.Code.INTERNAL, e.toString()).withCause(e).asException());
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }
}
