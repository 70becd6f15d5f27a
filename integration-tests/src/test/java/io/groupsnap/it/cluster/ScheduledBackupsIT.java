package io.groupsnap.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.volume.Captures;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.BackupServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupRequest;
import io.groupsnap.proto.v1.CreateScheduleRequest;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.GetGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupServiceGrpc;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.LabelSelector;
import io.groupsnap.proto.v1.ListBackupRunsRequest;
import io.groupsnap.proto.v1.ListSchedulesRequest;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.RetentionPolicy;
import io.groupsnap.proto.v1.RunState;
import io.groupsnap.proto.v1.RunTrigger;
import io.groupsnap.proto.v1.Schedule;
import io.groupsnap.proto.v1.ScheduleServiceGrpc;
import io.groupsnap.proto.v1.ScheduleView;
import io.groupsnap.proto.v1.SetSchedulePausedRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A schedule firing every few seconds for minutes on a multi-host cluster while the leader is killed and agents are
 * killed or cut off at random; every run exports each member's capture to the host's restic repository. Afterwards:
 * every tick from the schedule's first to its last was decided exactly once (fired, skipped or missed), no tick
 * started two runs, the schedule's counters match the runs recorded, every repository passes {@code restic check},
 * the newest completed run restores byte for byte equal to its captures, retention kept what its policy says, and
 * every guarantee of the cut holds ({@link Guarantees}). The seed is printed; {@code -Dfaults.seed=N} replays the
 * faults' order.
 */
class ScheduledBackupsIT {
  static final String GROUP = "harness-all";
  static final long PERIOD_MILLIS = 5_000;
  static final String CRON = "*/5 * * * * *"; // six fields: seconds first
  static final Duration FAULTS_FOR = Duration.ofSeconds(Long.getLong("scheduled.seconds", 90));
  static final int LOCAL_KEEP_LAST = 3;
  static final int EXPORT_KEEP_LAST = 6;

  @RegisterExtension final ClusterExtension clusters = new ClusterExtension();

  @Test
  void scheduledRuns_underLeaderAndAgentFaults_fireOncePerTick_andEveryCompletedRunRestores() throws Exception {
    long seed = Long.getLong("faults.seed", System.nanoTime());
    System.out.println("scheduled backups: seed " + seed + " (replay the faults' order with -Dfaults.seed=" + seed
        + ")");
    Random rnd = new Random(seed);
    MultiHostCluster c = clusters.start(MultiHostCluster.builder().agents(3).coordinators(2).exports()
        .coordinatorFlags("--retention-interval", "5s"));
    Guarantees g = new Guarantees(c);
    leader(c, () -> GroupServiceGrpc.newBlockingStub(c.leaderChannel()).createGroup(CreateGroupRequest.newBuilder()
        .setGroup(GroupSpec.newBuilder().setName(GROUP).setExportTarget(AgentHost.EXPORT_TARGET)
            .addSelectors(LabelSelector.newBuilder().putMatchLabels("harness", "multihost"))
            .setFreezeTimeoutMillis(8_000)
            .setLocalRetention(RetentionPolicy.newBuilder().setKeepLast(LOCAL_KEEP_LAST))
            .setExportRetention(RetentionPolicy.newBuilder().setKeepLast(EXPORT_KEEP_LAST)))
        .build()));
    leader(c, () -> ScheduleServiceGrpc.newBlockingStub(c.leaderChannel()).createSchedule(CreateScheduleRequest
        .newBuilder().setSchedule(Schedule.newBuilder().setGroup(GROUP).setCron(CRON)
            .setStartingDeadlineMillis(3_000)).build()));

    List<String> faults = new ArrayList<>();
    long end = System.nanoTime() + FAULTS_FOR.toNanos();
    while (System.nanoTime() < end) {
      awaitQuietly(Duration.ofSeconds(8 + rnd.nextInt(10)));
      String fault = inject(c, rnd);
      faults.add(fault);
      System.out.println("fault: " + fault);
    }
    leader(c, () -> ScheduleServiceGrpc.newBlockingStub(c.leaderChannel()).setSchedulePaused(
        SetSchedulePausedRequest.newBuilder().setGroup(GROUP).setPaused(true).build()));
    await("every run of the group final").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions().until(() -> runs(c).stream().allMatch(ScheduledBackupsIT::isFinal));

    Schedule schedule = schedule(c);
    List<BackupRun> runs = runs(c);
    Map<RunState, Long> byState = runs.stream().collect(Collectors.groupingBy(BackupRun::getState, TreeMap::new,
        Collectors.counting()));
    System.out.printf("schedule: fired %d, skipped %d, missed %d; runs by state %s; faults %s%n",
        schedule.getFired(), schedule.getSkipped(), schedule.getMissed(), byState, faults);

    // Exactly one decision per tick, and one run per fired tick.
    List<BackupRun> scheduled = runs.stream().filter(r -> r.getTrigger() == RunTrigger.RUN_SCHEDULED).toList();
    Set<Long> ticks = new HashSet<>();
    for (BackupRun r : scheduled) {
      assertThat(ticks.add(r.getScheduledForMillis())).as("tick %d started one run (%s)", r.getScheduledForMillis(),
          r.getId()).isTrue();
      assertThat(r.getScheduledForMillis() % PERIOD_MILLIS).as("%s ran at a tick of %s", r.getId(), CRON).isZero();
    }
    assertThat(schedule.getFired()).as("fired ticks = scheduled runs recorded").isEqualTo(scheduled.size());
    long first = (schedule.getCreatedAtMillis() / PERIOD_MILLIS + 1) * PERIOD_MILLIS;
    long decided = (schedule.getLastTickMillis() - first) / PERIOD_MILLIS + 1;
    assertThat(schedule.getFired() + schedule.getSkipped() + schedule.getMissed())
        .as("every tick from the first (%d) to the last decided (%d) was fired, skipped or missed once", first,
            schedule.getLastTickMillis())
        .isEqualTo(decided);
    long completed = byState.getOrDefault(RunState.RUN_COMPLETED, 0L);
    assertThat(completed).as("runs completed despite the faults").isGreaterThanOrEqualTo(3);

    // Every completed run that retention kept exported: repositories intact, the newest restores byte for byte.
    for (AgentHost a : c.agents()) {
      // an agent killed mid-export and not yet restarted leaves its restic to finish on its own (a restarted one
      // stops it), and a killed restic its lock: once no process uses the repository, restic's own unlock removes
      // stale locks (as an operator would)
      await("no restic left running on " + a.id() + "'s repository").atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(500)).until(() -> !resticRunningOn(a.resticRepository()));
      assertThat(restic(a, "unlock").exitCode()).as("restic unlock of %s", a.id()).isZero();
      Commands.Result check = restic(a, "check");
      assertThat(check.exitCode()).as("restic check of %s: %s", a.id(), check.output()).isZero();
    }
    BackupRun newest = runs.stream().filter(r -> r.getState() == RunState.RUN_COMPLETED)
        .reduce((x, y) -> y).orElseThrow();
    assertThat(newest.getLocalDeleted()).as("the newest completed run keeps its captures").isFalse();
    GroupSnapshot cut = leader(c, () -> c.leader().getGroupSnapshot(GetGroupSnapshotRequest.newBuilder()
        .setId(newest.getGroupSnapshotId()).build()));
    for (MemberExport e : newest.getExportsList()) {
      assertThat(e.getState()).as("%s of %s", e.getAgentId(), newest.getId()).isEqualTo(ExportState.EXPORT_DONE);
      MemberRecord m = cut.getMembersList().stream().filter(x -> x.getAgentId().equals(e.getAgentId())
          && x.getVolume().equals(e.getVolume())).findFirst().orElseThrow();
      AgentHost a = c.agents().stream().filter(x -> x.id().equals(e.getAgentId())).findFirst().orElseThrow();
      Path target = c.workDir().resolve("restored-" + a.id());
      Commands.Result restore = restic(a, "restore", e.getRepositorySnapshotId(), "--target", target.toString());
      assertThat(restore.exitCode()).as("restic restore: %s", restore.output()).isZero();
      assertSameTree(Path.of(m.getSnapshotPath()), target);
      Captures.deleteTree(target);
    }

    // Retention: at most keep-last completed runs keep their captures (older failures expire too), the newest is kept.
    await("local retention applied").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions().until(() -> runs(c).stream().filter(r -> r.getState() == RunState.RUN_COMPLETED
            && !r.getLocalDeleted()).count() <= LOCAL_KEEP_LAST);
    System.out.println("guarantees: " + g.assertAll(FaultMatrixIT.SETTLE));
  }

  private static boolean isFinal(BackupRun r) {
    return switch (r.getState()) {
      case RUN_COMPLETED, RUN_PARTIALLY_FAILED, RUN_FAILED, RUN_DELETED -> true;
      default -> false;
    };
  }

  private static List<BackupRun> runs(MultiHostCluster c) {
    return leader(c, () -> BackupServiceGrpc.newBlockingStub(c.leaderChannel()).listBackupRuns(
        ListBackupRunsRequest.newBuilder().setGroup(GROUP).setIncludeDeleted(true).build()).getRunsList());
  }

  private static Schedule schedule(MultiHostCluster c) {
    return leader(c, () -> ScheduleServiceGrpc.newBlockingStub(c.leaderChannel()).listSchedules(
        ListSchedulesRequest.getDefaultInstance()).getSchedulesList().stream().map(ScheduleView::getSchedule)
        .filter(s -> s.getGroup().equals(GROUP)).findFirst().orElseThrow());
  }

  /** Calls the leader, retrying (bounded) while leadership moves. */
  private static <T> T leader(MultiHostCluster c, Callable<T> call) {
    return c.throughLeader(call);
  }

  /** One fault, healed before returning or after a short while in the background of the schedule. */
  private static String inject(MultiHostCluster c, Random rnd) throws Exception {
    int k = 1 + rnd.nextInt(c.agents().size());
    switch (rnd.nextInt(3)) {
      case 0 -> {
        ManagedProcess leader = c.coordinatorAt(c.leaderEndpoint().orElseThrow()).orElseThrow();
        leader.kill();
        awaitQuietly(Duration.ofSeconds(3));
        leader.start();
        return "kill-leader " + leader.name();
      }
      case 1 -> {
        c.restartAgent(k);
        return "kill-agent " + k;
      }
      default -> {
        c.cutOff(c.agent(k).id());
        awaitQuietly(Duration.ofSeconds(6));
        c.heal(c.agent(k).id());
        return "cut-off " + k;
      }
    }
  }

  /** Lets the cluster run for a while (not a wait for a condition: the schedule runs meanwhile). */
  private static void awaitQuietly(Duration d) {
    await().pollDelay(d).atMost(d.plusSeconds(1)).until(() -> true);
  }

  private static Commands.Result restic(AgentHost a, String... args) {
    List<String> cmd = new ArrayList<>(List.of("restic", "-r", a.resticRepository().toString(), "--password-file",
        a.resticPasswordFile().toString(), "--no-cache"));
    cmd.addAll(List.of(args));
    return Commands.run(Duration.ofMinutes(2), cmd);
  }

  /** Whether a process on this machine runs restic on {@code repository} (its command line names it). */
  private static boolean resticRunningOn(Path repository) {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).anyMatch(p -> {
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8);
          return cmd.contains("restic") && cmd.contains(repository.toString()) && !cmd.contains("\0unlock\0")
              && !cmd.contains("\0check\0");
        } catch (IOException e) {
          return false; // gone meanwhile
        }
      });
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Same relative paths, and every regular file's bytes equal. */
  static void assertSameTree(Path expected, Path actual) throws IOException {
    Map<String, byte[]> want = files(expected);
    Map<String, byte[]> got = files(actual);
    assertThat(got.keySet()).as("files restored from the export vs the capture %s", expected)
        .containsExactlyInAnyOrderElementsOf(want.keySet());
    want.forEach((p, bytes) -> assertThat(got.get(p)).as("content of %s", p).isEqualTo(bytes));
  }

  private static Map<String, byte[]> files(Path root) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }
}
