package io.groupsnap.coordinator.rpc;

import io.groupsnap.common.tls.AccessGate;
import io.groupsnap.common.tls.Role;
import io.groupsnap.proto.v1.BackupServiceGrpc;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.GroupServiceGrpc;
import io.groupsnap.proto.v1.RestoreServiceGrpc;
import io.groupsnap.proto.v1.ScheduleServiceGrpc;
import io.grpc.MethodDescriptor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who may call what on a coordinator (DESIGN.md G7), in one table: a viewer reads, an operator also creates, deletes
 * and checks group snapshots and reads the audit trail, an admin also forgets agents. A method not in the table is
 * refused to everyone ({@link AccessGate}), so a method added to the service stays closed until it is given a role
 * here. The named groups ({@link #groupTable}): a viewer reads them, an operator creates, changes and deletes them.
 */
public final class Access {
  private Access() {}

  /** The role each CoordinatorService method needs, by full method name. */
  public static Map<String, Role> table() {
    Map<String, Role> t = new LinkedHashMap<>();
    put(t, CoordinatorServiceGrpc.getGetGroupSnapshotMethod(), Role.VIEWER);
    put(t, CoordinatorServiceGrpc.getListGroupSnapshotsMethod(), Role.VIEWER);
    put(t, CoordinatorServiceGrpc.getListAgentsMethod(), Role.VIEWER);
    put(t, CoordinatorServiceGrpc.getClusterStatusMethod(), Role.VIEWER);
    put(t, CoordinatorServiceGrpc.getCreateGroupSnapshotMethod(), Role.OPERATOR);
    put(t, CoordinatorServiceGrpc.getDeleteGroupSnapshotMethod(), Role.OPERATOR);
    put(t, CoordinatorServiceGrpc.getCheckGroupSnapshotMethod(), Role.OPERATOR);
    put(t, CoordinatorServiceGrpc.getForgetAgentMethod(), Role.ADMIN);
    // who did what: the operators who act, and admins, may read the trail; a viewer may not
    put(t, CoordinatorServiceGrpc.getListAuditMethod(), Role.OPERATOR);
    return t;
  }

  /** The role each GroupService method needs, by full method name. */
  public static Map<String, Role> groupTable() {
    Map<String, Role> t = new LinkedHashMap<>();
    put(t, GroupServiceGrpc.getGetGroupMethod(), Role.VIEWER);
    put(t, GroupServiceGrpc.getListGroupsMethod(), Role.VIEWER);
    put(t, GroupServiceGrpc.getCreateGroupMethod(), Role.OPERATOR);
    put(t, GroupServiceGrpc.getUpdateGroupMethod(), Role.OPERATOR);
    put(t, GroupServiceGrpc.getDeleteGroupMethod(), Role.OPERATOR);
    return t;
  }

  /** Every method a coordinator serves, of every service, with the role it needs. */
  public static Map<String, Role> all() {
    Map<String, Role> t = table();
    t.putAll(groupTable());
    t.putAll(scheduleTable());
    t.putAll(backupTable());
    t.putAll(restoreTable());
    return t;
  }

  /**
   * The role each ScheduleService method needs: a viewer reads schedules, their next ticks and retention plans; an
   * operator creates, pauses, resumes and deletes schedules.
   */
  public static Map<String, Role> scheduleTable() {
    Map<String, Role> t = new LinkedHashMap<>();
    put(t, ScheduleServiceGrpc.getListSchedulesMethod(), Role.VIEWER);
    put(t, ScheduleServiceGrpc.getNextTicksMethod(), Role.VIEWER);
    put(t, ScheduleServiceGrpc.getPlanRetentionMethod(), Role.VIEWER);
    put(t, ScheduleServiceGrpc.getCreateScheduleMethod(), Role.OPERATOR);
    put(t, ScheduleServiceGrpc.getSetSchedulePausedMethod(), Role.OPERATOR);
    put(t, ScheduleServiceGrpc.getDeleteScheduleMethod(), Role.OPERATOR);
    return t;
  }

  /** The role each BackupService method needs: a viewer reads runs, an operator starts and deletes them. */
  public static Map<String, Role> backupTable() {
    Map<String, Role> t = new LinkedHashMap<>();
    put(t, BackupServiceGrpc.getGetBackupRunMethod(), Role.VIEWER);
    put(t, BackupServiceGrpc.getListBackupRunsMethod(), Role.VIEWER);
    put(t, BackupServiceGrpc.getStartBackupRunMethod(), Role.OPERATOR);
    put(t, BackupServiceGrpc.getDeleteBackupRunMethod(), Role.OPERATOR);
    return t;
  }

  /** The role each RestoreService method needs: restoring writes on the agents, so an operator, like a snapshot;
   * a viewer reads in-place restores. */
  public static Map<String, Role> restoreTable() {
    Map<String, Role> t = new LinkedHashMap<>();
    put(t, RestoreServiceGrpc.getRestoreGroupSnapshotMethod(), Role.OPERATOR);
    put(t, RestoreServiceGrpc.getRestoreInPlaceMethod(), Role.OPERATOR);
    put(t, RestoreServiceGrpc.getGetInPlaceRestoreMethod(), Role.VIEWER);
    put(t, RestoreServiceGrpc.getListInPlaceRestoresMethod(), Role.VIEWER);
    put(t, RestoreServiceGrpc.getConfirmInPlaceRestoreMethod(), Role.OPERATOR);
    put(t, RestoreServiceGrpc.getRollbackInPlaceRestoreMethod(), Role.OPERATOR);
    return t;
  }

  /** The gate of a coordinator's services; {@code denials} is told of each refused call. */
  public static AccessGate gate(AccessGate.Denials denials) {
    return new AccessGate(all(), denials);
  }

  private static void put(Map<String, Role> t, MethodDescriptor<?, ?> m, Role r) {
    t.put(m.getFullMethodName(), r);
  }
}
