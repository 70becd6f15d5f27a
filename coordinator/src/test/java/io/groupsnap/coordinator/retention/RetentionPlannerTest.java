package io.groupsnap.coordinator.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.RetentionDecision;
import io.groupsnap.proto.v1.RetentionPolicy;
import io.groupsnap.proto.v1.RetentionScope;
import io.groupsnap.proto.v1.RunState;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Retention over a simulated year of hourly runs in Europe/Berlin (both daylight-saving changes inside it), with
 * failed and partially failed runs among them: the keep set of each policy is computed here independently, by
 * grouping the runs into calendar buckets with java.time, and must be exactly the planner's.
 */
class RetentionPlannerTest {
  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  static final Instant START = Instant.parse("2026-01-01T00:10:00Z");
  static final int HOURS = 365 * 24;
  /** The simulated clock: ten minutes after the newest run of the year. */
  static final Instant NOW = START.plus(Duration.ofHours(HOURS - 1)).plus(Duration.ofMinutes(10));
  static final List<BackupRun> YEAR = year();

  /** Hourly runs; every 37th FAILED, every 53rd PARTIALLY_FAILED, and the newest two FAILED. */
  static List<BackupRun> year() {
    List<BackupRun> out = new ArrayList<>();
    for (int i = 0; i < HOURS; i++) {
      RunState s = i % 37 == 0 ? RunState.RUN_FAILED : i % 53 == 0 ? RunState.RUN_PARTIALLY_FAILED
          : RunState.RUN_COMPLETED;
      if (i >= HOURS - 2) {
        s = RunState.RUN_FAILED;
      }
      out.add(run(String.format("run-%05d", i), START.plus(Duration.ofHours(i)), s));
    }
    return out;
  }

  static BackupRun run(String id, Instant created, RunState state) {
    return BackupRun.newBuilder().setId(id).setGroup("db").setState(state).setCreatedAtMillis(created.toEpochMilli())
        .setGroupSnapshotId("gs-" + id).setExportTarget("offsite").addExports(MemberExport.newBuilder()
            .setAgentId("a1").setState(ExportState.EXPORT_DONE)).build();
  }

  static LocalDateTime local(BackupRun r) {
    return Instant.ofEpochMilli(r.getCreatedAtMillis()).atZone(BERLIN).toLocalDateTime();
  }

  static List<BackupRun> completedNewestFirst() {
    return YEAR.stream().filter(r -> r.getState() == RunState.RUN_COMPLETED)
        .sorted(Comparator.comparingLong(BackupRun::getCreatedAtMillis).reversed()).toList();
  }

  /** The newest completed run of each of the newest {@code n} buckets, buckets found by grouping. */
  static Set<String> newestOfLastBuckets(int n, Function<LocalDateTime, Comparable<?>> bucket) {
    Map<Object, BackupRun> newestPerBucket = new LinkedHashMap<>();
    for (BackupRun r : completedNewestFirst()) {
      newestPerBucket.putIfAbsent(bucket.apply(local(r)), r);
    }
    return newestPerBucket.values().stream().limit(n).map(BackupRun::getId).collect(Collectors.toSet());
  }

  /** The expected keep set of a policy, rule by rule. */
  static Set<String> expected(RetentionPolicy p) {
    if (p.equals(RetentionPolicy.getDefaultInstance())) {
      return YEAR.stream().map(BackupRun::getId).collect(Collectors.toSet());
    }
    List<BackupRun> completed = completedNewestFirst();
    Set<String> keep = new HashSet<>();
    keep.add(completed.get(0).getId());
    completed.stream().limit(p.getKeepLast()).forEach(r -> keep.add(r.getId()));
    keep.addAll(newestOfLastBuckets(p.getKeepHourly(), t -> t.truncatedTo(ChronoUnit.HOURS)));
    keep.addAll(newestOfLastBuckets(p.getKeepDaily(), LocalDateTime::toLocalDate));
    keep.addAll(newestOfLastBuckets(p.getKeepWeekly(),
        t -> t.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))));
    keep.addAll(newestOfLastBuckets(p.getKeepMonthly(), YearMonth::from));
    keep.addAll(newestOfLastBuckets(p.getKeepYearly(), t -> Year.of(t.getYear())));
    long newestCompleted = completed.get(0).getCreatedAtMillis();
    for (BackupRun r : YEAR) {
      if (p.getKeepWithinMillis() > 0 && NOW.toEpochMilli() - r.getCreatedAtMillis() < p.getKeepWithinMillis()) {
        keep.add(r.getId());
      }
      if (r.getState() != RunState.RUN_COMPLETED && r.getCreatedAtMillis() > newestCompleted) {
        keep.add(r.getId());
      }
    }
    return keep;
  }

  static Stream<Arguments> policies() {
    return Stream.of(
        Arguments.of("keep nothing set: keep all", RetentionPolicy.getDefaultInstance()),
        Arguments.of("last 5", RetentionPolicy.newBuilder().setKeepLast(5).build()),
        Arguments.of("hourly 48 (across nothing special)", RetentionPolicy.newBuilder().setKeepHourly(48).build()),
        Arguments.of("hourly 8000 (both DST changes)", RetentionPolicy.newBuilder().setKeepHourly(8000).build()),
        Arguments.of("daily 14 weekly 8 monthly 12 yearly 3", RetentionPolicy.newBuilder().setKeepDaily(14)
            .setKeepWeekly(8).setKeepMonthly(12).setKeepYearly(3).build()),
        Arguments.of("daily 400 (every day, incl. the DST days)", RetentionPolicy.newBuilder().setKeepDaily(400)
            .build()),
        Arguments.of("within 3d and daily 7", RetentionPolicy.newBuilder()
            .setKeepWithinMillis(Duration.ofDays(3).toMillis()).setKeepDaily(7).build()),
        Arguments.of("within 36h only", RetentionPolicy.newBuilder()
            .setKeepWithinMillis(Duration.ofHours(36).toMillis()).build()),
        Arguments.of("monthly 6 only", RetentionPolicy.newBuilder().setKeepMonthly(6).build()),
        Arguments.of("everything at once", RetentionPolicy.newBuilder().setKeepLast(3).setKeepHourly(24)
            .setKeepDaily(7).setKeepWeekly(4).setKeepMonthly(6).setKeepYearly(2)
            .setKeepWithinMillis(Duration.ofDays(2).toMillis()).build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policies")
  void aYearOfRuns_keepsExactlyTheExpectedSet(String name, RetentionPolicy policy) {
    for (RetentionScope scope : List.of(RetentionScope.RETENTION_LOCAL, RetentionScope.RETENTION_EXPORT)) {
      List<RetentionDecision> plan = RetentionPlanner.plan(YEAR, policy, scope, NOW, BERLIN);
      assertThat(plan).hasSize(YEAR.size());
      Set<String> kept = plan.stream().filter(RetentionDecision::getKeep).map(RetentionDecision::getRunId)
          .collect(Collectors.toSet());
      assertThat(kept).as(name).isEqualTo(expected(policy));
      assertThat(plan).allSatisfy(d -> assertThat(d.getReasonsList().isEmpty()).isEqualTo(!d.getKeep()));
      assertThat(plan).extracting(RetentionDecision::getCreatedAtMillis)
          .isSortedAccordingTo(Comparator.reverseOrder());
    }
  }

  @Test
  void everyKeptRun_saysWhy_inTheOperatorsWords() {
    RetentionPolicy p = RetentionPolicy.newBuilder().setKeepLast(2).setKeepDaily(2)
        .setKeepWithinMillis(Duration.ofHours(1).toMillis()).build();
    Map<String, List<String>> why = RetentionPlanner.plan(YEAR, p, RetentionScope.RETENTION_LOCAL, NOW, BERLIN)
        .stream().filter(RetentionDecision::getKeep)
        .collect(Collectors.toMap(RetentionDecision::getRunId, RetentionDecision::getReasonsList));
    String newestCompleted = completedNewestFirst().get(0).getId();
    assertThat(why.get(newestCompleted)).containsExactly("newest completed", "last 2", "daily 2026-12-31");
    assertThat(why.get(String.format("run-%05d", HOURS - 1))).containsExactly("newer than the newest completed",
        "within 1h");
    assertThat(why.get(completedNewestFirst().get(1).getId())).containsExactly("last 2");
  }

  @Test
  void failedRunsOlderThanTheNewestCompleted_expire_andOnlyKeepWithinKeepsThem() {
    List<BackupRun> runs = List.of(
        run("run-a", Instant.parse("2026-06-01T00:00:00Z"), RunState.RUN_COMPLETED),
        run("run-b", Instant.parse("2026-06-02T00:00:00Z"), RunState.RUN_FAILED),
        run("run-c", Instant.parse("2026-06-03T00:00:00Z"), RunState.RUN_COMPLETED),
        run("run-d", Instant.parse("2026-06-04T00:00:00Z"), RunState.RUN_PARTIALLY_FAILED));
    RetentionPolicy lastTen = RetentionPolicy.newBuilder().setKeepLast(10).build();
    Instant now = Instant.parse("2026-06-05T00:00:00Z");
    assertThat(kept(RetentionPlanner.plan(runs, lastTen, RetentionScope.RETENTION_LOCAL, now, BERLIN)))
        .containsExactly("run-d", "run-c", "run-a");
    RetentionPolicy within = lastTen.toBuilder().setKeepWithinMillis(Duration.ofDays(4).toMillis()).build();
    assertThat(kept(RetentionPlanner.plan(runs, within, RetentionScope.RETENTION_LOCAL, now, BERLIN)))
        .containsExactly("run-d", "run-c", "run-b", "run-a");
  }

  @Test
  void runsStillGoing_areKept_andRunsWithoutBackupsInAScope_areLeftOut() {
    BackupRun going = BackupRun.newBuilder().setId("run-going").setState(RunState.RUN_SNAPSHOTTING)
        .setExportTarget("offsite").setCreatedAtMillis(Instant.parse("2026-06-01T00:00:00Z").toEpochMilli()).build();
    BackupRun deletedLocally = run("run-old", Instant.parse("2026-05-01T00:00:00Z"), RunState.RUN_COMPLETED)
        .toBuilder().setLocalDeleted(true).build();
    BackupRun notExported = run("run-local", Instant.parse("2026-05-02T00:00:00Z"), RunState.RUN_COMPLETED)
        .toBuilder().clearExports().build();
    BackupRun gone = run("run-gone", Instant.parse("2026-04-01T00:00:00Z"), RunState.RUN_DELETED);
    List<BackupRun> runs = List.of(going, deletedLocally, notExported, gone);
    RetentionPolicy p = RetentionPolicy.newBuilder().setKeepLast(1).build();
    Instant now = Instant.parse("2026-06-02T00:00:00Z");
    List<RetentionDecision> local = RetentionPlanner.plan(runs, p, RetentionScope.RETENTION_LOCAL, now, BERLIN);
    assertThat(local).extracting(RetentionDecision::getRunId).containsExactly("run-going", "run-local");
    assertThat(local.get(0).getReasonsList()).containsExactly("in progress");
    List<RetentionDecision> export = RetentionPlanner.plan(runs, p, RetentionScope.RETENTION_EXPORT, now, BERLIN);
    assertThat(export).extracting(RetentionDecision::getRunId).containsExactly("run-going", "run-old");
    assertThat(export).allMatch(RetentionDecision::getKeep);
  }

  static List<String> kept(List<RetentionDecision> plan) {
    return plan.stream().filter(RetentionDecision::getKeep).map(RetentionDecision::getRunId).toList();
  }
}
