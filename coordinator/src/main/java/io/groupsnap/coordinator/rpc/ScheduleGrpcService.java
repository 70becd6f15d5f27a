package io.groupsnap.coordinator.rpc;

import io.groupsnap.common.ServerEdge;
import io.groupsnap.coordinator.audit.AuditArguments;
import io.groupsnap.coordinator.audit.AuditedCalls;
import io.groupsnap.coordinator.retention.RetentionPlans;
import io.groupsnap.coordinator.schedule.ScheduleBook;
import io.groupsnap.proto.v1.CreateScheduleRequest;
import io.groupsnap.proto.v1.DeleteScheduleRequest;
import io.groupsnap.proto.v1.DeleteScheduleResponse;
import io.groupsnap.proto.v1.ListSchedulesRequest;
import io.groupsnap.proto.v1.ListSchedulesResponse;
import io.groupsnap.proto.v1.NextTicksRequest;
import io.groupsnap.proto.v1.NextTicksResponse;
import io.groupsnap.proto.v1.PlanRetentionRequest;
import io.groupsnap.proto.v1.RetentionPlan;
import io.groupsnap.proto.v1.Schedule;
import io.groupsnap.proto.v1.ScheduleServiceGrpc;
import io.groupsnap.proto.v1.SetSchedulePausedRequest;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import java.util.function.Function;

/**
 * The gRPC edge of schedules and retention plans ({@link ScheduleBook}, {@link RetentionPlans}). Status codes as
 * {@link CoordinatorGrpcService}'s: NOT_LEADER (FAILED_PRECONDITION with the leader trailer) for a mutating call on a
 * standby, INVALID_ARGUMENT for bad input (a bad cron expression or zone: one line naming it), NOT_FOUND for an
 * unknown group or schedule, ALREADY_EXISTS for a second schedule of a group, DATA_LOSS for a quarantined record,
 * UNAVAILABLE when ZooKeeper or the audit trail cannot be reached. Mutating calls are audited before they act
 * ({@link Audit}); reads are not.
 */
public final class ScheduleGrpcService implements ScheduleServiceGrpc.AsyncService, BindableService {
  /** How a mutating call is audited: {@link AuditedCalls#call} of the coordinator's audited calls. */
  @FunctionalInterface
  public interface Audit {
    <T> T call(String method, AuditArguments arguments, String groupSnapshotId, AuditedCalls.Body<T> body,
        Function<T, String> reason) throws Exception;
  }

  private final ScheduleBook book;
  private final RetentionPlans plans;
  private final Audit audit;

  public ScheduleGrpcService(ScheduleBook book, RetentionPlans plans, Audit audit) {
    this.book = book;
    this.plans = plans;
    this.audit = audit;
  }

  /** The service, guarded so that an undecodable request is INVALID_ARGUMENT ({@link ServerEdge#guard}). */
  @Override
  public ServerServiceDefinition bindService() {
    return ServerEdge.guard(ScheduleServiceGrpc.bindService(this));
  }

  @Override
  public void createSchedule(CreateScheduleRequest req, StreamObserver<Schedule> out) {
    Schedule s = req.getSchedule();
    Unary.answer(out, () -> audit.call("CreateSchedule", AuditArguments.of().with("group", s.getGroup())
            .with("cron", s.getCron()).with("time_zone", s.getTimeZone())
            .with("starting_deadline_ms", s.getStartingDeadlineMillis()).flag("paused", s.getPaused()), "",
        () -> book.create(s), r -> "created (" + r.getCron() + " " + r.getTimeZone() + ")"));
  }

  @Override
  public void listSchedules(ListSchedulesRequest req, StreamObserver<ListSchedulesResponse> out) {
    Unary.answer(out, book::list);
  }

  @Override
  public void setSchedulePaused(SetSchedulePausedRequest req, StreamObserver<Schedule> out) {
    Unary.answer(out, () -> audit.call(req.getPaused() ? "PauseSchedule" : "ResumeSchedule",
        AuditArguments.of().with("group", req.getGroup()), "", () -> book.setPaused(req.getGroup(), req.getPaused()),
        r -> r.getPaused() ? "paused" : "resumed"));
  }

  @Override
  public void deleteSchedule(DeleteScheduleRequest req, StreamObserver<DeleteScheduleResponse> out) {
    Unary.answer(out, () -> audit.call("DeleteSchedule", AuditArguments.of().with("group", req.getGroup()), "",
        () -> DeleteScheduleResponse.newBuilder().setDeleted(book.delete(req.getGroup())).build(),
        r -> r.getDeleted() ? "deleted" : "there was no schedule"));
  }

  @Override
  public void nextTicks(NextTicksRequest req, StreamObserver<NextTicksResponse> out) {
    Unary.answer(out, () -> book.nextTicks(req.getGroup(), req.getCron(), req.getTimeZone(), req.getCount()));
  }

  @Override
  public void planRetention(PlanRetentionRequest req, StreamObserver<RetentionPlan> out) {
    Unary.answer(out, () -> plans.plan(req.getGroup()));
  }

}
