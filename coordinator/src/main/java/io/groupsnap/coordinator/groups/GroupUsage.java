package io.groupsnap.coordinator.groups;

import io.groupsnap.common.ZkLayout;
import io.groupsnap.coordinator.store.FencedRecords;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.RecordKind;
import io.groupsnap.proto.v1.RunState;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;

/**
 * What still needs a group, read straight from ZooKeeper: its schedule ({@code schedules/<name>}) and its backup runs
 * ({@code runs/<id>}) that are not final. A group is deleted only when nothing needs it. A run record that cannot be
 * decoded is not counted (it names no group this version can read). Thread-safe.
 */
public final class GroupUsage {
  private final CuratorFramework zk;
  private final ZkLayout layout;
  private final FencedRecords<BackupRun> runs;

  public GroupUsage(CuratorFramework zk, ZkLayout layout) {
    this.zk = zk;
    this.layout = layout;
    this.runs = new FencedRecords<>(zk, layout, layout.runs(), RecordKind.RECORD_RUN, "BackupRun",
        BackupRun.parser(), (r, name) -> r.getId().equals(name) ? null : "decodes to the run of another id");
  }

  /** Why {@code group} cannot be deleted now, one line; empty when nothing needs it. */
  public Optional<String> blocker(String group) throws Exception {
    if (zk.checkExists().forPath(layout.schedule(group)) != null) {
      return Optional.of("group " + group + " has a schedule; delete the schedule first");
    }
    List<String> going = runs.list().records().stream()
        .filter(r -> r.getGroup().equals(group) && !isFinal(r.getState())).map(BackupRun::getId).sorted().toList();
    if (!going.isEmpty()) {
      return Optional.of("group " + group + " has " + going.size() + " run(s) not finished: "
          + String.join(", ", going.subList(0, Math.min(5, going.size()))) + (going.size() > 5 ? ", ..." : ""));
    }
    return Optional.empty();
  }

  /** COMPLETED, PARTIALLY_FAILED, FAILED and DELETED are final; anything else (a newer state too) is not. */
  public static boolean isFinal(RunState s) {
    return switch (s) {
      case RUN_COMPLETED, RUN_PARTIALLY_FAILED, RUN_FAILED, RUN_DELETED -> true;
      default -> false;
    };
  }
}
