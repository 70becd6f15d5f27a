package io.groupsnap.coordinator.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.coordinator.schedule.TickPlanner.Action;
import io.groupsnap.coordinator.schedule.TickPlanner.Decision;
import io.groupsnap.proto.v1.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** What a schedule does about its due ticks: fire the newest once, skip while running, miss after the deadline. */
class TickPlannerTest {
  static final Instant CREATED = Instant.parse("2026-05-01T00:00:00Z");
  static final CronSchedule HOURLY = CronSchedule.parse("0 * * * *", ZoneOffset.UTC);
  static final Schedule S = Schedule.newBuilder().setGroup("db").setCron("0 * * * *").setTimeZone("UTC")
      .setStartingDeadlineMillis(Duration.ofMinutes(5).toMillis()).setCreatedAtMillis(CREATED.toEpochMilli()).build();

  static Instant at(String utc) {
    return Instant.parse(utc);
  }

  @Test
  void nothingIsDue_beforeTheFirstTickAfterCreation() {
    assertThat(TickPlanner.decide(S, HOURLY, at("2026-05-01T00:59:59Z"), false).action()).isEqualTo(Action.NOTHING);
  }

  @Test
  void theNewestTickWithinTheDeadline_fires_withARunIdDerivedFromTickAndGroup() {
    Decision d = TickPlanner.decide(S, HOURLY, at("2026-05-01T01:04:00Z"), false);
    assertThat(d.action()).isEqualTo(Action.FIRE);
    assertThat(d.tickMillis()).isEqualTo(at("2026-05-01T01:00:00Z").toEpochMilli());
    assertThat(d.runId()).matches("run-20260501-010000-[0-9a-f]{6}")
        .isEqualTo(TickPlanner.runId("db", at("2026-05-01T01:00:00Z")))
        .isNotEqualTo(TickPlanner.runId("web", at("2026-05-01T01:00:00Z")));
    assertThat(d.missed()).isZero();
  }

  @Test
  void aFiredTickRecorded_isNotDecidedAgain_byTheSameOrANewLeader() {
    Instant now = at("2026-05-01T01:02:00Z");
    Decision d = TickPlanner.decide(S, HOURLY, now, false);
    Schedule recorded = d.applyTo(S, now.toEpochMilli(), 2);
    assertThat(recorded.getFired()).isEqualTo(1);
    assertThat(recorded.getLastRunId()).isEqualTo(d.runId());
    assertThat(TickPlanner.decide(recorded, HOURLY, at("2026-05-01T01:03:00Z"), false).action())
        .isEqualTo(Action.NOTHING);
  }

  @Test
  void aTickLaunchedButNotRecorded_isDecidedAgainWithTheSameRunId() {
    Decision first = TickPlanner.decide(S, HOURLY, at("2026-05-01T01:00:30Z"), false);
    // the leader died after launching, before recording: its successor decides on the same record
    Decision again = TickPlanner.decide(S, HOURLY, at("2026-05-01T01:03:00Z"), false);
    assertThat(again.action()).isEqualTo(Action.FIRE);
    assertThat(again.runId()).isEqualTo(first.runId());
  }

  @Test
  void afterAFailoverGap_withinTheDeadline_theNewestTickFires_andTheOlderAreMissed() {
    Schedule s = S.toBuilder().setLastTickMillis(at("2026-05-01T01:00:00Z").toEpochMilli()).build();
    Decision d = TickPlanner.decide(s, HOURLY, at("2026-05-01T04:03:00Z"), false);
    assertThat(d.action()).isEqualTo(Action.FIRE);
    assertThat(d.tickMillis()).isEqualTo(at("2026-05-01T04:00:00Z").toEpochMilli());
    assertThat(d.missed()).isEqualTo(2); // 02:00 and 03:00
    Schedule after = d.applyTo(s, 0, 3);
    assertThat(after.getMissed()).isEqualTo(2);
    assertThat(after.getFired()).isEqualTo(1);
  }

  @Test
  void afterAFailoverGap_pastTheDeadline_everyDueTickIsMissed_andNothingFires() {
    Schedule s = S.toBuilder().setLastTickMillis(at("2026-05-01T01:00:00Z").toEpochMilli()).build();
    Decision d = TickPlanner.decide(s, HOURLY, at("2026-05-01T04:06:00Z"), false);
    assertThat(d.action()).isEqualTo(Action.MISS);
    assertThat(d.missed()).isEqualTo(3);
    assertThat(d.runId()).isEmpty();
    Schedule after = d.applyTo(s, 0, 3);
    assertThat(after.getLastTickMillis()).isEqualTo(at("2026-05-01T04:00:00Z").toEpochMilli());
    assertThat(TickPlanner.decide(after, HOURLY, at("2026-05-01T04:07:00Z"), false).action())
        .isEqualTo(Action.NOTHING);
  }

  @Test
  void whileARunOfTheGroupIsGoing_theTickIsSkipped_andCounted() {
    Decision d = TickPlanner.decide(S, HOURLY, at("2026-05-01T01:01:00Z"), true);
    assertThat(d.action()).isEqualTo(Action.SKIP);
    Schedule after = d.applyTo(S, 0, 1);
    assertThat(after.getSkipped()).isEqualTo(1);
    assertThat(after.getFired()).isZero();
    assertThat(after.getLastTickMillis()).isEqualTo(at("2026-05-01T01:00:00Z").toEpochMilli());
  }

  @Test
  void aRefusedLaunch_countsTheTickMissed() {
    Decision d = TickPlanner.decide(S, HOURLY, at("2026-05-01T01:01:00Z"), false).refused();
    assertThat(d.applyTo(S, 0, 1).getMissed()).isEqualTo(1);
  }

  @Test
  void aYearWithoutALeader_inAnEveryMinuteSchedule_isCountedUpToTheCap() {
    CronSchedule everyMinute = CronSchedule.parse("* * * * *", ZoneOffset.UTC);
    Decision d = TickPlanner.decide(S, everyMinute, at("2027-05-01T00:00:30Z"), false);
    assertThat(d.action()).isEqualTo(Action.FIRE);
    assertThat(d.missed()).isEqualTo(TickPlanner.MAX_COUNTED);
  }

  @Test
  void noDeadlineSet_meansFiveMinutes() {
    Schedule s = S.toBuilder().setStartingDeadlineMillis(0).build();
    assertThat(TickPlanner.decide(s, HOURLY, at("2026-05-01T01:05:00Z"), false).action()).isEqualTo(Action.FIRE);
    assertThat(TickPlanner.decide(s, HOURLY, at("2026-05-01T01:05:01Z"), false).action()).isEqualTo(Action.MISS);
  }
}
