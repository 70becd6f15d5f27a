package io.groupsnap.coordinator.retention;

import io.groupsnap.common.Names;
import io.groupsnap.coordinator.groups.GroupCatalog;
import io.groupsnap.coordinator.runs.RunCatalog;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.RetentionPlan;
import io.groupsnap.proto.v1.RetentionScope;
import io.groupsnap.common.Printable;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneOffset;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * A group's retention plan as it stands now, in both scopes ({@link RetentionPlanner}): what {@code groupsnap
 * retention plan} shows, and what the leader's retention pass acts on. Reads only; answers on any coordinator.
 * Thread-safe.
 */
public final class RetentionPlans {
  private final RunCatalog runs;
  private final GroupCatalog groups;
  private final Clock clock;

  public RetentionPlans(RunCatalog runs, GroupCatalog groups, Clock clock) {
    this.runs = runs;
    this.groups = groups;
    this.clock = clock;
  }

  /**
   * The plan for {@code group}: LOCAL decisions (its local retention) then EXPORT ones (its export retention), each
   * newest first. Runs whose records are quarantined are not in it (they are never deleted by retention).
   *
   * @throws NotFoundException when there is no such group
   */
  public RetentionPlan plan(String group) throws Exception {
    Names.require("group", group);
    GroupSpec spec = groups.find(group).orElseThrow(() -> new NotFoundException("no group '" + group + "'"));
    ZoneId zone;
    try {
      zone = spec.getTimeZone().isEmpty() ? ZoneOffset.UTC : ZoneId.of(spec.getTimeZone());
    } catch (DateTimeException e) {
      throw new IllegalStateException("group '" + group + "' has a time zone this coordinator does not know: '"
          + Printable.value(spec.getTimeZone()) + "'");
    }
    List<BackupRun> all = runs.list(group).records();
    Instant now = clock.instant();
    return RetentionPlan.newBuilder().setGroup(group).setPlannedAtMillis(now.toEpochMilli())
        .addAllDecisions(RetentionPlanner.plan(all, spec.getLocalRetention(), RetentionScope.RETENTION_LOCAL, now,
            zone))
        .addAllDecisions(RetentionPlanner.plan(all, spec.getExportRetention(), RetentionScope.RETENTION_EXPORT, now,
            zone))
        .build();
  }
}
