package io.groupsnap.coordinator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.coordinator.groups.GroupCatalog;
import io.groupsnap.coordinator.runs.RunCatalog;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.RunState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The backup and retention metrics as Prometheus scrapes them from a coordinator's registry. */
class BackupMetricsTest {
  final CoordinatorMetrics metrics = new CoordinatorMetrics();
  final BackupMetrics backups = metrics.backups();
  final List<BackupRun> runs = new ArrayList<>();
  final Map<String, GroupSpec> groups = new ConcurrentHashMap<>();

  final RunCatalog runCatalog = new RunCatalog() {
    @Override
    public Optional<BackupRun> find(String id) {
      return runs.stream().filter(r -> r.getId().equals(id)).findFirst();
    }

    @Override
    public Listing<BackupRun> list(String group) {
      return new Listing<>(List.copyOf(runs), List.of());
    }
  };

  final GroupCatalog groupCatalog = new GroupCatalog() {
    @Override
    public Optional<GroupSpec> find(String name) {
      return Optional.ofNullable(groups.get(name));
    }

    @Override
    public Listing<GroupSpec> list() {
      return new Listing<>(List.copyOf(groups.values()), List.of());
    }
  };

  @AfterEach
  void tearDown() {
    metrics.close();
  }

  /** The value of the one sample of {@code name} with all of {@code labels} (k="v" pairs); null when none. */
  Double sample(String name, String... labels) {
    Double found = null;
    for (String line : metrics.registry().scrape().split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      boolean all = true;
      for (String l : labels) {
        all &= line.contains(l);
      }
      if (all) {
        assertThat(found).as("one sample of %s %s", name, List.of(labels)).isNull();
        found = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return found;
  }

  static BackupRun run(String id, String group, RunState state, long finishedAt, long... doneBytes) {
    BackupRun.Builder b = BackupRun.newBuilder().setId(id).setGroup(group).setState(state)
        .setFinishedAtMillis(finishedAt);
    for (long bytes : doneBytes) {
      b.addExports(MemberExport.newBuilder().setState(ExportState.EXPORT_DONE).setBytesDone(bytes));
    }
    b.addExports(MemberExport.newBuilder().setState(ExportState.EXPORT_FAILED).setBytesDone(7));
    return b.build();
  }

  void refresh() {
    backups.refresh(runCatalog, groupCatalog);
  }

  @Test
  void everyGroupsCounters_areThereAtZero_andItsLastSuccessComesFromTheRecords() {
    assertThat(sample("groupsnap_retention_removals_total", "scope=\"local\"")).isZero();
    assertThat(sample("groupsnap_retention_removals_total", "scope=\"export\"")).isZero();
    groups.put("db", GroupSpec.newBuilder().setName("db").build());
    groups.put("web", GroupSpec.newBuilder().setName("web").build());
    runs.add(run("r1", "db", RunState.RUN_COMPLETED, 1_700_000_000_000L));
    runs.add(run("r2", "db", RunState.RUN_COMPLETED, 1_700_000_600_000L));
    runs.add(run("r3", "db", RunState.RUN_FAILED, 1_700_000_900_000L));
    runs.add(run("r4", "web", RunState.RUN_PARTIALLY_FAILED, 1_700_000_900_000L));
    runs.add(run("r5", "gone", RunState.RUN_COMPLETED, 1_700_000_900_000L));
    refresh();
    for (String g : List.of("db", "web")) {
      for (String result : BackupMetrics.RESULTS) {
        assertThat(sample("groupsnap_backup_runs_total", "group=\"" + g + "\"", "result=\"" + result + "\""))
            .as(g + " " + result).isZero();
      }
      assertThat(sample("groupsnap_backup_export_bytes_total", "group=\"" + g + "\"")).isZero();
    }
    // what a new leader (or a standby) shows: the newest completed run of each group, none for web
    assertThat(sample("groupsnap_backup_last_success_timestamp_seconds", "group=\"db\""))
        .isEqualTo(1_700_000_600.0);
    assertThat(sample("groupsnap_backup_last_success_timestamp_seconds", "group=\"web\"")).isNull();
    assertThat(sample("groupsnap_backup_last_success_timestamp_seconds", "group=\"gone\"")).isNull();

    groups.remove("db");
    refresh();
    assertThat(sample("groupsnap_backup_last_success_timestamp_seconds", "group=\"db\"")).isNull();
  }

  @Test
  void runsThatEnd_andRetentionRemovals_moveTheMetrics() {
    backups.ended(run("r1", "db", RunState.RUN_COMPLETED, 1_700_000_000_000L, 100, 200));
    backups.ended(run("r2", "db", RunState.RUN_PARTIALLY_FAILED, 1_700_000_100_000L, 50));
    backups.ended(run("r3", "db", RunState.RUN_FAILED, 1_700_000_200_000L));
    backups.ended(run("r4", "db", RunState.RUN_FAILED, 1_700_000_300_000L));
    assertThat(sample("groupsnap_backup_runs_total", "group=\"db\"", "result=\"completed\"")).isEqualTo(1);
    assertThat(sample("groupsnap_backup_runs_total", "group=\"db\"", "result=\"partially_failed\"")).isEqualTo(1);
    assertThat(sample("groupsnap_backup_runs_total", "group=\"db\"", "result=\"failed\"")).isEqualTo(2);
    assertThat(sample("groupsnap_backup_export_bytes_total", "group=\"db\"")).isEqualTo(350);
    assertThat(sample("groupsnap_backup_last_success_timestamp_seconds", "group=\"db\""))
        .isEqualTo(1_700_000_000.0);

    backups.ended(run("r5", "db", RunState.RUN_COMPLETED, 1_700_000_400_000L));
    assertThat(sample("groupsnap_backup_last_success_timestamp_seconds", "group=\"db\""))
        .isEqualTo(1_700_000_400.0);

    backups.removed("local+export");
    backups.removed("local");
    backups.removed("export");
    backups.removed("local");
    assertThat(sample("groupsnap_retention_removals_total", "scope=\"local\"")).isEqualTo(3);
    assertThat(sample("groupsnap_retention_removals_total", "scope=\"export\"")).isEqualTo(2);
  }
}
