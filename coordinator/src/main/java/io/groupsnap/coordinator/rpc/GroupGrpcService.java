package io.groupsnap.coordinator.rpc;

import io.groupsnap.common.ServerEdge;
import io.groupsnap.coordinator.groups.GroupCalls;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.CreateGroupRequest;
import io.groupsnap.proto.v1.DeleteGroupRequest;
import io.groupsnap.proto.v1.DeleteGroupResponse;
import io.groupsnap.proto.v1.GetGroupRequest;
import io.groupsnap.proto.v1.GroupServiceGrpc;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.GroupView;
import io.groupsnap.proto.v1.ListGroupsRequest;
import io.groupsnap.proto.v1.ListGroupsResponse;
import io.groupsnap.proto.v1.UpdateGroupRequest;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;

/**
 * The gRPC edge of the named groups, with the status codes of {@link CoordinatorGrpcService}: NOT_LEADER
 * (FAILED_PRECONDITION and the leader trailer) for a mutating call on a standby, INVALID_ARGUMENT naming the field,
 * ALREADY_EXISTS for a create whose name is taken, NOT_FOUND, FAILED_PRECONDITION for a delete while a schedule or an
 * unfinished run needs the group, DATA_LOSS for a quarantined record asked for by name. Stateless.
 */
public final class GroupGrpcService implements GroupServiceGrpc.AsyncService, BindableService {
  private final GroupCalls groups;

  public GroupGrpcService(GroupCalls groups) {
    this.groups = groups;
  }

  /** The service, guarded so that an undecodable request is INVALID_ARGUMENT ({@link ServerEdge#guard}). */
  @Override
  public ServerServiceDefinition bindService() {
    return ServerEdge.guard(GroupServiceGrpc.bindService(this));
  }

  @Override
  public void createGroup(CreateGroupRequest req, StreamObserver<GroupSpec> out) {
    Unary.answer(out, () -> groups.createGroup(req.getGroup()));
  }

  @Override
  public void updateGroup(UpdateGroupRequest req, StreamObserver<GroupSpec> out) {
    Unary.answer(out, () -> groups.updateGroup(req.getGroup()));
  }

  @Override
  public void getGroup(GetGroupRequest req, StreamObserver<GroupView> out) {
    Unary.answer(out, () -> groups.getGroup(req.getName()));
  }

  @Override
  public void listGroups(ListGroupsRequest req, StreamObserver<ListGroupsResponse> out) {
    Unary.answer(out, () -> {
      Listing<GroupSpec> l = groups.listGroups();
      return ListGroupsResponse.newBuilder().addAllGroups(l.records()).addAllDamaged(l.damaged()).build();
    });
  }

  @Override
  public void deleteGroup(DeleteGroupRequest req, StreamObserver<DeleteGroupResponse> out) {
    Unary.answer(out, () -> DeleteGroupResponse.newBuilder().setDeleted(groups.deleteGroup(req.getName())).build());
  }

}
