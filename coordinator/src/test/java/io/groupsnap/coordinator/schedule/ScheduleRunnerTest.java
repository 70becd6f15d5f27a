package io.groupsnap.coordinator.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.coordinator.api.AlreadyExistsException;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.Scheduler;
import io.groupsnap.coordinator.runs.RunLauncher;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.RunState;
import io.groupsnap.proto.v1.RunTrigger;
import io.groupsnap.proto.v1.Schedule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leader's schedule runner against a real ZooKeeper, a recording launcher and a clock the test moves: two
 * runners in sequence, each with its own leadership term, stand for a failover.
 */
class ScheduleRunnerTest {
  static final Instant CREATED = Instant.parse("2026-05-01T06:30:00Z");

  TestingServer server;
  CuratorFramework zk;
  final ZkLayout layout = new ZkLayout("default");
  ClusterStore cluster;
  ScheduleStore store;
  final MovableClock clock = new MovableClock(CREATED);
  final RecordingLauncher launcher = new RecordingLauncher();
  final ManualScheduler lane = new ManualScheduler();

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    zk = ZkClients.connect(server.getConnectString(), Duration.ofSeconds(10));
    cluster = new ClusterStore(zk, layout);
    cluster.ensureCluster();
    store = new ScheduleStore(zk, layout);
  }

  @AfterEach
  void stop() throws Exception {
    zk.close();
    server.close();
  }

  /** A new leadership term: its own latch node and an epoch bump, which fences the earlier terms' writes. */
  Leadership.Term newTerm(String who) throws Exception {
    String latch = zk.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(layout.leader() + "/latch-", new byte[0]);
    ClusterStore.Bump b = cluster.bumpEpoch(latch, who);
    return new Leadership.Term(b.epoch(), new ClusterStore.Fence(latch, b.epochVersion()));
  }

  ScheduleRunner runner(AtomicReference<Optional<Leadership.Term>> acting) {
    return new ScheduleRunner(store, launcher, lane, clock, acting::get, Duration.ofSeconds(5));
  }

  void createDaily(Leadership.Term term) throws Exception {
    store.create(Schedule.newBuilder().setGroup("db").setCron("0 7 * * *").setTimeZone("UTC")
        .setStartingDeadlineMillis(Duration.ofMinutes(5).toMillis()).setCreatedAtMillis(CREATED.toEpochMilli())
        .build(), term.fence());
  }

  Schedule record() throws Exception {
    return store.find("db").orElseThrow().schedule();
  }

  @Test
  void aTickFiresOnce_andIsRecorded_andTheNextPassDoesNothing() throws Exception {
    Leadership.Term t1 = newTerm("c1");
    createDaily(t1);
    ScheduleRunner r = runner(new AtomicReference<>(Optional.of(t1)));
    clock.set("2026-05-01T06:59:59Z");
    assertThat(r.passOnce().fired()).isZero();
    clock.set("2026-05-01T07:00:01Z");
    ScheduleRunner.Pass p = r.passOnce();
    assertThat(p.fired()).isEqualTo(1);
    assertThat(p.nextTick()).contains(Instant.parse("2026-05-02T07:00:00Z"));
    assertThat(r.passOnce().fired()).isZero();
    assertThat(launcher.launched).containsExactly(TickPlanner.runId("db", Instant.parse("2026-05-01T07:00:00Z")));
    Schedule s = record();
    assertThat(s.getFired()).isEqualTo(1);
    assertThat(s.getLastTickMillis()).isEqualTo(Instant.parse("2026-05-01T07:00:00Z").toEpochMilli());
    assertThat(s.getLastRunId()).isEqualTo(launcher.launched.get(0));
    assertThat(s.getEpoch()).isEqualTo(t1.epoch());
  }

  @Test
  void aLeaderLostBetweenLaunchAndRecord_itsSuccessorRecordsTheTick_andNoSecondRunStarts() throws Exception {
    Leadership.Term t1 = newTerm("c1");
    createDaily(t1);
    AtomicReference<Optional<Leadership.Term>> acting1 = new AtomicReference<>(Optional.of(t1));
    ScheduleRunner first = runner(acting1);
    launcher.afterLaunch = () -> acting1.set(Optional.empty()); // deposed right after the launch
    clock.set("2026-05-01T07:00:02Z");
    first.passOnce();
    assertThat(launcher.launched).hasSize(1);
    assertThat(record().getLastTickMillis()).isZero(); // not recorded
    launcher.afterLaunch = () -> { };

    Leadership.Term t2 = newTerm("c2");
    ScheduleRunner second = runner(new AtomicReference<>(Optional.of(t2)));
    clock.set("2026-05-01T07:01:00Z");
    ScheduleRunner.Pass p = second.passOnce();
    assertThat(p.fired()).isEqualTo(1);
    assertThat(launcher.launched).hasSize(1);
    assertThat(launcher.alreadyExisted).containsExactly(launcher.launched.get(0));
    assertThat(record().getFired()).isEqualTo(1);
    assertThat(record().getLastRunId()).isEqualTo(launcher.launched.get(0));
    assertThat(record().getEpoch()).isEqualTo(t2.epoch());
  }

  @Test
  void aTickMissedDuringFailover_withinTheDeadline_isStartedOnceByTheSuccessor() throws Exception {
    Leadership.Term t1 = newTerm("c1");
    createDaily(t1);
    clock.set("2026-05-01T06:59:00Z");
    runner(new AtomicReference<>(Optional.of(t1))).passOnce(); // the old leader, before the tick; then it dies

    Leadership.Term t2 = newTerm("c2");
    clock.set("2026-05-01T07:04:00Z");
    ScheduleRunner second = runner(new AtomicReference<>(Optional.of(t2)));
    assertThat(second.passOnce().fired()).isEqualTo(1);
    assertThat(second.passOnce().fired()).isZero();
    assertThat(launcher.launched).containsExactly(TickPlanner.runId("db", Instant.parse("2026-05-01T07:00:00Z")));
    assertThat(launcher.scheduledFor).containsExactly(Instant.parse("2026-05-01T07:00:00Z").toEpochMilli());
  }

  @Test
  void aTickMissedDuringFailover_pastTheDeadline_isRecordedMissed_andNothingStarts() throws Exception {
    Leadership.Term t1 = newTerm("c1");
    createDaily(t1);
    Leadership.Term t2 = newTerm("c2");
    clock.set("2026-05-01T07:06:00Z");
    ScheduleRunner second = runner(new AtomicReference<>(Optional.of(t2)));
    assertThat(second.passOnce().missed()).isEqualTo(1);
    assertThat(launcher.launched).isEmpty();
    assertThat(record().getMissed()).isEqualTo(1);
    clock.set("2026-05-02T07:00:30Z");
    assertThat(second.passOnce().fired()).isEqualTo(1); // the next day's tick fires as usual
  }

  @Test
  void aDeposedLeadersLatePass_recordsNothing() throws Exception {
    Leadership.Term t1 = newTerm("c1");
    createDaily(t1);
    newTerm("c2"); // a newer term began; c1 still believes it leads
    launcher.refuseAll = true; // as a real launcher would: c1 is not the leader
    clock.set("2026-05-01T07:00:10Z");
    runner(new AtomicReference<>(Optional.of(t1))).passOnce();
    assertThat(record().getLastTickMillis()).isZero();

    launcher.refuseAll = false;
    // and a stale term's record write is refused by the fence even when the launch went through
    runner(new AtomicReference<>(Optional.of(t1))).passOnce();
    assertThat(record().getLastTickMillis()).isZero();
  }

  @Test
  void whileTheGroupsRunIsGoing_theTickIsSkipped_andCounted() throws Exception {
    Leadership.Term t1 = newTerm("c1");
    createDaily(t1);
    launcher.going.add("db");
    clock.set("2026-05-01T07:00:10Z");
    assertThat(runner(new AtomicReference<>(Optional.of(t1))).passOnce().skipped()).isEqualTo(1);
    assertThat(record().getSkipped()).isEqualTo(1);
    assertThat(launcher.launched).isEmpty();
  }

  @Test
  void aStandbyPassesWithoutActing() throws Exception {
    Leadership.Term t1 = newTerm("c1");
    createDaily(t1);
    clock.set("2026-05-01T07:00:10Z");
    assertThat(runner(new AtomicReference<>(Optional.empty())).passOnce().fired()).isZero();
    assertThat(launcher.launched).isEmpty();
  }

  @Test
  void pausedSchedules_doNotFire() throws Exception {
    Leadership.Term t1 = newTerm("c1");
    store.create(Schedule.newBuilder().setGroup("db").setCron("0 7 * * *").setTimeZone("UTC").setPaused(true)
        .setCreatedAtMillis(CREATED.toEpochMilli()).build(), t1.fence());
    clock.set("2026-05-01T07:00:10Z");
    assertThat(runner(new AtomicReference<>(Optional.of(t1))).passOnce().fired()).isZero();
    assertThat(launcher.launched).isEmpty();
  }

  @Test
  void started_itPassesAtOnce_thenWakesAtTheNextTick_orWithinTheRecheck() throws Exception {
    Leadership.Term t1 = newTerm("c1");
    createDaily(t1);
    clock.set("2026-05-01T06:59:58Z");
    try (ScheduleRunner r = runner(new AtomicReference<>(Optional.of(t1)))) {
      r.start();
      lane.runQueued();
      assertThat(lane.delays).containsExactly(Duration.ofSeconds(2)); // the tick at 07:00 is nearer than 5 s
      clock.set("2026-05-01T07:00:00Z");
      lane.runDelayed();
      assertThat(launcher.launched).hasSize(1);
      assertThat(lane.delays).last().isEqualTo(Duration.ofSeconds(5)); // the next tick is a day away
    }
    lane.runDelayed(); // closed: nothing more
    assertThat(launcher.launched).hasSize(1);
  }

  /** A clock the test sets. */
  static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    void set(String utc) {
      now = Instant.parse(utc);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** A lane the test runs: queued tasks and delayed ones on demand, the delays asked for recorded. */
  static final class ManualScheduler implements Scheduler {
    final List<Runnable> queued = new ArrayList<>();
    final List<Runnable> delayed = new ArrayList<>();
    final List<Duration> delays = new ArrayList<>();

    @Override
    public synchronized void execute(Runnable task) {
      queued.add(task);
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
      delays.add(delay);
      delayed.add(task);
      return () -> {
        synchronized (this) {
          delayed.remove(task);
        }
      };
    }

    void runQueued() {
      List<Runnable> now;
      synchronized (this) {
        now = List.copyOf(queued);
        queued.clear();
      }
      now.forEach(Runnable::run);
    }

    void runDelayed() {
      List<Runnable> now;
      synchronized (this) {
        now = List.copyOf(delayed);
        delayed.clear();
      }
      now.forEach(Runnable::run);
    }
  }

  /** Launches nothing real: records the ids, refuses a second launch of an id and a launch while a run is going. */
  static final class RecordingLauncher implements RunLauncher {
    final List<String> launched = new CopyOnWriteArrayList<>();
    final List<Long> scheduledFor = new CopyOnWriteArrayList<>();
    final List<String> alreadyExisted = new CopyOnWriteArrayList<>();
    final Set<String> going = ConcurrentHashMap.newKeySet();
    final Map<String, BackupRun> runs = new ConcurrentHashMap<>();
    volatile Runnable afterLaunch = () -> { };
    volatile boolean refuseAll;

    @Override
    public BackupRun launch(String group, String runId, RunTrigger trigger, long scheduledForMillis)
        throws Exception {
      if (refuseAll) {
        throw new io.groupsnap.coordinator.api.NotLeaderException("c2", "not the leader");
      }
      if (runs.containsKey(runId)) {
        alreadyExisted.add(runId);
        throw new AlreadyExistsException("run " + runId + " exists");
      }
      if (going.contains(group)) {
        throw new RunInProgressException(group, "run-x");
      }
      BackupRun r = BackupRun.newBuilder().setId(runId).setGroup(group).setState(RunState.RUN_SNAPSHOTTING)
          .setTrigger(trigger).setScheduledForMillis(scheduledForMillis).build();
      runs.put(runId, r);
      launched.add(runId);
      scheduledFor.add(scheduledForMillis);
      afterLaunch.run();
      return r;
    }
  }
}
