package io.groupsnap.coordinator.rpc;

import io.groupsnap.common.Names;
import io.groupsnap.common.Printable;
import io.groupsnap.common.ServerEdge;
import io.groupsnap.common.Version;
import io.groupsnap.coordinator.api.AlreadyExistsException;
import io.groupsnap.coordinator.api.CoordinatorCalls;
import io.groupsnap.coordinator.api.MissingAgentsException;
import io.groupsnap.coordinator.api.NotLeaderException;
import io.groupsnap.coordinator.audit.AuditUnavailableException;
import io.groupsnap.coordinator.scrub.Scrubber;
import io.groupsnap.coordinator.store.DamagedRecordException;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.coordinator.txn.TransactionDriver;
import io.groupsnap.coordinator.txn.TxnState;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.CheckGroupSnapshotRequest;
import io.groupsnap.proto.v1.CheckGroupSnapshotResponse;
import io.groupsnap.proto.v1.ClusterStatusRequest;
import io.groupsnap.proto.v1.ClusterStatusResponse;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.DeleteGroupSnapshotRequest;
import io.groupsnap.proto.v1.DeleteGroupSnapshotResponse;
import io.groupsnap.proto.v1.ForgetAgentRequest;
import io.groupsnap.proto.v1.ForgetAgentResponse;
import io.groupsnap.proto.v1.GetGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.ListAgentsRequest;
import io.groupsnap.proto.v1.ListAgentsResponse;
import io.groupsnap.proto.v1.ListAuditRequest;
import io.groupsnap.proto.v1.ListAuditResponse;
import io.groupsnap.proto.v1.ListGroupSnapshotsRequest;
import io.groupsnap.proto.v1.ListGroupSnapshotsResponse;
import io.groupsnap.proto.v1.MemberProgress;
import io.groupsnap.proto.v1.MemberState;
import io.groupsnap.proto.v1.MissingAgents;
import io.groupsnap.proto.v1.PhaseStarted;
import io.groupsnap.proto.v1.ProgressEvent;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletionException;

/**
 * The gRPC edge of a coordinator. Status codes: FAILED_PRECONDITION with a {@code NOT_LEADER} message and the
 * {@link #LEADER_KEY} trailer on a standby (UNAVAILABLE when no leader is known yet), INVALID_ARGUMENT for bad input
 * (field named) and for a request that does not decode, NOT_FOUND, ALREADY_EXISTS for a create whose id is taken,
 * FAILED_PRECONDITION for a request that does not fit the state (a group snapshot of every agent while known agents
 * are missing: with the {@link #MISSING_AGENTS_KEY} trailer), DATA_LOSS when the record a call needs is quarantined
 * (it cannot be decoded; lists report such records apart instead), UNAVAILABLE when ZooKeeper cannot be reached or
 * the audit trail cannot record a mutating call's request ("audit trail unavailable: ...": the call was not made).
 *
 * <p>Names in a request are checked here before anything else sees them, and every status description is escaped
 * and bounded ({@link ServerEdge#status}): an answer never echoes an unbounded input.
 */
public final class CoordinatorGrpcService implements CoordinatorServiceGrpc.AsyncService, BindableService {
  /** Trailer naming the leader's endpoint on a NOT_LEADER answer. */
  public static final Metadata.Key<String> LEADER_KEY =
      Metadata.Key.of("groupsnap-leader", Metadata.ASCII_STRING_MARSHALLER);
  public static final String NOT_LEADER = "NOT_LEADER";
  /** Trailer of a group snapshot of every agent refused because known agents are not registered. */
  public static final Metadata.Key<MissingAgents> MISSING_AGENTS_KEY = Metadata.Key.of("groupsnap-missing-agents-bin",
      ProtoUtils.metadataMarshaller(MissingAgents.getDefaultInstance()));
  /** At most this many missing agents travel in the trailer (metadata is small). */
  static final int MISSING_IN_TRAILER = 50;

  private final CoordinatorCalls coordinator;

  /** @param coordinator what the calls are answered with */
  public CoordinatorGrpcService(CoordinatorCalls coordinator) {
    this.coordinator = coordinator;
  }

  /** The service, guarded so that an undecodable request is INVALID_ARGUMENT ({@link ServerEdge#guard}). */
  @Override
  public ServerServiceDefinition bindService() {
    return ServerEdge.guard(CoordinatorServiceGrpc.bindService(this));
  }

  @Override
  public void createGroupSnapshot(CreateGroupSnapshotRequest req, StreamObserver<ProgressEvent> out) {
    ServerCallStreamObserver<ProgressEvent> stream = (ServerCallStreamObserver<ProgressEvent>) out;
    stream.setOnCancelHandler(() -> { }); // the transaction goes on without a watcher
    Duration freeze = optionalMillis(req.getFreezeTimeoutMillis());
    Duration lease = optionalMillis(req.getLeaseMillis());
    Duration prepare = optionalMillis(req.getPrepareTimeoutMillis());
    if (req.getFreezeTimeoutMillis() < 0 || req.getLeaseMillis() < 0 || req.getPrepareTimeoutMillis() < 0) {
      out.onError(Status.INVALID_ARGUMENT.withDescription("timeouts must not be negative").asException());
      return;
    }
    Watcher watcher = new Watcher(stream);
    if (!req.getGroup().isEmpty()) {
      createOfGroup(req, freeze, lease, prepare, watcher, out);
      return;
    }
    try {
      for (int i = 0; i < req.getMembersCount(); i++) {
        requireName("members[" + i + "].agent_id", req.getMembers(i).getAgentId());
        if (!req.getMembers(i).getVolume().isEmpty()) {
          requireName("members[" + i + "].volume", req.getMembers(i).getVolume());
        }
      }
      coordinator.createGroupSnapshot(req.getId(), req.getMembersList(), freeze, lease, prepare,
          req.getAllowMissing(), watcher)
          .whenComplete((result, err) -> watcher.done(result, err));
    } catch (Exception e) {
      out.onError(toStatus(e));
    }
  }

  /** A group snapshot of a named group: its members come from the group, so the request names none. */
  private void createOfGroup(CreateGroupSnapshotRequest req, Duration freeze, Duration lease, Duration prepare,
      Watcher watcher, StreamObserver<ProgressEvent> out) {
    try {
      requireName("group", req.getGroup());
      if (req.getMembersCount() > 0) {
        throw new IllegalArgumentException("group and members are exclusive: a group names its own members");
      }
      if (req.getAllowMissing()) {
        throw new IllegalArgumentException("allow_missing applies to a group snapshot of every agent, not to a group "
            + "(make such members optional in the group)");
      }
      coordinator.createGroupSnapshotOfGroup(req.getId(), req.getGroup(), "", freeze, lease, prepare, watcher)
          .whenComplete((result, err) -> watcher.done(result, err));
    } catch (Exception e) {
      out.onError(toStatus(e));
    }
  }

  @Override
  public void getGroupSnapshot(GetGroupSnapshotRequest req, StreamObserver<GroupSnapshot> out) {
    Unary.answer(out, () -> coordinator.getGroupSnapshot(req.getId()));
  }

  @Override
  public void listGroupSnapshots(ListGroupSnapshotsRequest req, StreamObserver<ListGroupSnapshotsResponse> out) {
    Unary.answer(out, () -> {
      Listing<GroupSnapshot> l = coordinator.listGroupSnapshots(req.getIncludeAborted());
      return ListGroupSnapshotsResponse.newBuilder().addAllSnapshots(l.records()).addAllDamaged(l.damaged()).build();
    });
  }

  @Override
  public void deleteGroupSnapshot(DeleteGroupSnapshotRequest req,
      StreamObserver<DeleteGroupSnapshotResponse> out) {
    try {
      coordinator.deleteGroupSnapshot(req.getId()).whenComplete((result, err) -> {
        if (err != null) {
          out.onError(toStatus(err instanceof CompletionException c && c.getCause() != null ? c.getCause() : err));
        } else {
          out.onNext(result);
          out.onCompleted();
        }
      });
    } catch (Exception e) {
      out.onError(toStatus(e));
    }
  }

  @Override
  public void checkGroupSnapshot(CheckGroupSnapshotRequest req, StreamObserver<CheckGroupSnapshotResponse> out) {
    Unary.answer(out, () -> {
      Scrubber.Result r = coordinator.checkGroupSnapshot(req.getId(), req.getChecksum());
      return CheckGroupSnapshotResponse.newBuilder().setSnapshot(r.snapshot()).addAllCaptures(r.captures()).build();
    });
  }

  @Override
  public void listAgents(ListAgentsRequest req, StreamObserver<ListAgentsResponse> out) {
    Unary.answer(out, () -> {
      Listing<AgentRegistration> l = coordinator.listAgents();
      return ListAgentsResponse.newBuilder().addAllAgents(l.records()).addAllDamaged(l.damaged())
          .addAllMissing(coordinator.missingAgents()).build();
    });
  }

  @Override
  public void forgetAgent(ForgetAgentRequest req, StreamObserver<ForgetAgentResponse> out) {
    Unary.answer(out, () -> ForgetAgentResponse.newBuilder().setForgotten(coordinator.forgetAgent(req.getAgentId()))
        .build());
  }

  @Override
  public void listAudit(ListAuditRequest req, StreamObserver<ListAuditResponse> out) {
    Unary.answer(out, () -> coordinator.listAudit(req.getSinceMillis(), req.getLimit(), req.getPageToken()));
  }

  @Override
  public void clusterStatus(ClusterStatusRequest req, StreamObserver<ClusterStatusResponse> out) {
    Unary.answer(out, () -> coordinator.clusterStatus().toBuilder().setCoordinatorVersion(Version.current()).build());
  }

  private static void requireName(String field, String value) {
    if (!Names.isValid(value)) {
      throw new IllegalArgumentException(value.isEmpty() ? field + " is missing"
          : field + " '" + Printable.value(value) + "' is not a valid name");
    }
  }

  private static Duration optionalMillis(long ms) {
    return ms > 0 ? Duration.ofMillis(ms) : null;
  }


  static StatusException toStatus(Throwable e) {
    if (e instanceof StatusException s) {
      return s;
    }
    if (e instanceof NotLeaderException n) {
      if (n.leader().isEmpty()) {
        return ServerEdge.status(Status.Code.UNAVAILABLE, n.getMessage()).asException();
      }
      Metadata trailers = new Metadata();
      trailers.put(LEADER_KEY, n.leader().get());
      return ServerEdge.status(Status.Code.FAILED_PRECONDITION, NOT_LEADER + ": " + n.getMessage())
          .asException(trailers);
    }
    if (e instanceof AuditUnavailableException) {
      return ServerEdge.status(Status.Code.UNAVAILABLE, e.getMessage()).asException();
    }
    if (e instanceof DamagedRecordException) {
      return ServerEdge.status(Status.Code.DATA_LOSS, e.getMessage()).asException();
    }
    if (e instanceof MissingAgentsException m) {
      Metadata trailers = new Metadata();
      trailers.put(MISSING_AGENTS_KEY, MissingAgents.newBuilder()
          .addAllAgents(m.missing().stream().limit(MISSING_IN_TRAILER).toList()).build());
      return ServerEdge.status(Status.Code.FAILED_PRECONDITION, m.getMessage()).asException(trailers);
    }
    Status.Code code;
    if (e instanceof NotFoundException) {
      code = Status.Code.NOT_FOUND;
    } else if (e instanceof AlreadyExistsException) {
      code = Status.Code.ALREADY_EXISTS;
    } else if (e instanceof IllegalArgumentException) {
      code = Status.Code.INVALID_ARGUMENT;
    } else if (e instanceof IllegalStateException) {
      code = Status.Code.FAILED_PRECONDITION;
    } else if (e instanceof org.apache.zookeeper.KeeperException) {
      return ServerEdge.status(Status.Code.UNAVAILABLE, "ZooKeeper: " + e.getMessage()).asException();
    } else {
      return ServerEdge.status(Status.Code.INTERNAL, e.toString()).asException();
    }
    return ServerEdge.status(code, e.getMessage()).asException();
  }

  /** Streams one transaction's progress to one caller; events arrive on the transaction thread. */
  private static final class Watcher implements TransactionDriver.Progress {
    private final ServerCallStreamObserver<ProgressEvent> stream;
    Watcher(ServerCallStreamObserver<ProgressEvent> stream) {
      this.stream = stream;
    }

    @Override
    public synchronized void phase(String txnId, TxnState state, String detail) {
      send(txnId, ProgressEvent.newBuilder().setPhase(PhaseStarted.newBuilder().setState(map(state)).setDetail(detail)));
    }

    @Override
    public synchronized void member(String txnId, String agentId, MemberState state, String detail) {
      send(txnId, ProgressEvent.newBuilder().setMember(MemberProgress.newBuilder().setAgentId(agentId).setState(state)
          .setDetail(detail)));
    }

    synchronized void done(GroupSnapshot result, Throwable err) {
      if (stream.isCancelled()) {
        return;
      }
      if (err != null) {
        stream.onError(toStatus(err instanceof java.util.concurrent.CompletionException c ? c.getCause() : err));
        return;
      }
      send(result.getId(), ProgressEvent.newBuilder().setResult(result));
      stream.onCompleted();
    }

    private void send(String txnId, ProgressEvent.Builder e) {
      if (!stream.isCancelled()) {
        stream.onNext(e.setAtMillis(System.currentTimeMillis()).setGroupSnapshotId(txnId).build());
      }
    }

    private static GroupSnapshotState map(TxnState s) {
      return switch (s) {
        case BEGINNING, PREPARING -> GroupSnapshotState.PREPARING;
        case FREEZING -> GroupSnapshotState.FREEZING;
        case THAWING -> GroupSnapshotState.THAWING;
        case COMMITTING, FINALIZING, IN_DOUBT -> GroupSnapshotState.COMMITTING;
        case COMMITTED -> GroupSnapshotState.COMMITTED;
        case ABORTING -> GroupSnapshotState.ABORTING;
        case ABORTED -> GroupSnapshotState.ABORTED;
      };
    }
  }
}
