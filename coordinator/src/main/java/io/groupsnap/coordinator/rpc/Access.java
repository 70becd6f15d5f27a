package io.groupsnap.coordinator.rpc;

import io.groupsnap.common.tls.AccessGate;
import io.groupsnap.common.tls.Role;
import io.groupsnap.proto.v1.BackupServiceGrpc;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.grpc.MethodDescriptor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who may call what on a coordinator (DESIGN.md G7), in one table: a viewer reads, an operator also creates, deletes
 * and checks group snapshots and reads the audit trail, an admin also forgets agents. A method not in the table is
 * refused to everyone ({@link AccessGate}), so a method added to the service stays closed until it is given a role
 * here.
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

  /** The role each BackupService method needs: a viewer reads runs, an operator starts and deletes them. */
  public static Map<String, Role> backupTable() {
    Map<String, Role> t = new LinkedHashMap<>();
    put(t, BackupServiceGrpc.getGetBackupRunMethod(), Role.VIEWER);
    put(t, BackupServiceGrpc.getListBackupRunsMethod(), Role.VIEWER);
    put(t, BackupServiceGrpc.getStartBackupRunMethod(), Role.OPERATOR);
    put(t, BackupServiceGrpc.getDeleteBackupRunMethod(), Role.OPERATOR);
    return t;
  }

  /** The gate of a coordinator's BackupService. */
  public static AccessGate backupGate(AccessGate.Denials denials) {
    return new AccessGate(backupTable(), denials);
  }

  /** The gate of a coordinator's CoordinatorService; {@code denials} is told of each refused call. */
  public static AccessGate gate(AccessGate.Denials denials) {
    return new AccessGate(table(), denials);
  }

  private static void put(Map<String, Role> t, MethodDescriptor<?, ?> m, Role r) {
    t.put(m.getFullMethodName(), r);
  }
}
