package io.groupsnap.coordinator.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Cron expressions read in a zone: next ticks, daylight saving time, and bad input. */
class CronScheduleTest {
  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  static Instant at(String utc) {
    return Instant.parse(utc);
  }

  @Test
  void nextFiveTicks_ofADailySchedule_areTheWallClockTimesInItsZone() {
    CronSchedule c = CronSchedule.parse("0 7 * * *", BERLIN);
    assertThat(c.next(at("2026-01-10T12:00:00Z"), 5)).containsExactly(at("2026-01-11T06:00:00Z"),
        at("2026-01-12T06:00:00Z"), at("2026-01-13T06:00:00Z"), at("2026-01-14T06:00:00Z"),
        at("2026-01-15T06:00:00Z"));
  }

  @Test
  void sixFields_readTheFirstAsSeconds() {
    CronSchedule c = CronSchedule.parse("*/5 * * * * *", ZoneOffset.UTC);
    assertThat(c.next(at("2026-01-10T12:00:02Z"), 3)).containsExactly(at("2026-01-10T12:00:05Z"),
        at("2026-01-10T12:00:10Z"), at("2026-01-10T12:00:15Z"));
    assertThat(CronSchedule.parse("30 0 7 * * MON", ZoneOffset.UTC).next(at("2026-12-01T00:00:00Z")))
        .contains(at("2026-12-07T07:00:30Z"));
  }

  @Test
  void theWrongNumberOfFields_isNamedWithBothFormsThatWork() {
    assertThatThrownBy(() -> CronSchedule.parse("*/5 * * *", ZoneOffset.UTC)).hasMessage("cron expression "
        + "'*/5 * * *' is not valid: it has 4 fields; expected 5 (minute hour day-of-month month day-of-week) or 6 "
        + "(seconds first)");
  }

  @Test
  void aDailyTimeTheClocksSkip_firesAsMuchLater_andTheDayIsNotLost() {
    CronSchedule c = CronSchedule.parse("30 2 * * *", BERLIN);
    // 2026-03-29 02:00 CET the clocks go to 03:00 CEST: 02:30 does not exist that night
    assertThat(c.next(at("2026-03-27T12:00:00Z"), 3)).containsExactly(at("2026-03-28T01:30:00Z"),
        at("2026-03-29T01:30:00Z"), at("2026-03-30T00:30:00Z"));
  }

  @Test
  void aDailyTimeThatOccursTwice_firesOnce() {
    CronSchedule c = CronSchedule.parse("30 2 * * *", BERLIN);
    // 2026-10-25 03:00 CEST the clocks go back to 02:00 CET: 02:30 occurs at 00:30Z and 01:30Z
    assertThat(c.next(at("2026-10-24T12:00:00Z"), 3)).containsExactly(at("2026-10-25T00:30:00Z"),
        at("2026-10-26T01:30:00Z"), at("2026-10-27T01:30:00Z"));
    assertThat(c.countBetween(at("2026-10-24T12:00:00Z"), at("2026-10-26T12:00:00Z"), 100)).isEqualTo(2);
  }

  @Test
  void anHourlySchedule_acrossBothChanges_firesEachWallClockHourOnce_inOrder() {
    CronSchedule c = CronSchedule.parse("0 * * * *", BERLIN);
    List<Instant> spring = c.next(at("2026-03-28T23:30:00Z"), 4); // 00:30 CET
    assertThat(spring).containsExactly(at("2026-03-29T00:00:00Z"), at("2026-03-29T01:00:00Z"),
        at("2026-03-29T02:00:00Z"), at("2026-03-29T03:00:00Z")); // 01:00 CET, 03:00 CEST (from 02:00), 04:00, 05:00
    List<Instant> autumn = c.next(at("2026-10-24T23:30:00Z"), 3); // 01:30 CEST
    assertThat(autumn).containsExactly(at("2026-10-25T00:00:00Z"), at("2026-10-25T02:00:00Z"),
        at("2026-10-25T03:00:00Z")); // 02:00 CEST once, then 03:00 CET, 04:00 CET
    assertThat(autumn).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void latestAtOrBefore_includesATickExactlyNow_andFindsTheDayBefore() {
    CronSchedule c = CronSchedule.parse("0 7 * * *", ZoneOffset.UTC);
    assertThat(c.latestAtOrBefore(at("2026-05-01T07:00:00Z"))).contains(at("2026-05-01T07:00:00Z"));
    assertThat(c.latestAtOrBefore(at("2026-05-01T06:59:59Z"))).contains(at("2026-04-30T07:00:00Z"));
  }

  @Test
  void countBetween_isCapped_forAYearOfMinutes() {
    CronSchedule c = CronSchedule.parse("* * * * *", ZoneOffset.UTC);
    assertThat(c.countBetween(at("2025-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z"), 1000)).isEqualTo(1000);
    assertThat(c.countBetween(at("2025-01-01T00:00:00Z"), at("2025-01-01T00:10:00Z"), 1000)).isEqualTo(9);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "0 7 * *         | cron expression '0 7 * *' is not valid: it has 4 fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)",
      "61 * * * *      | cron expression '61 * * * *' is not valid: Value 61 not in range [0, 59]",
      "0 7 * * 8       | cron expression '0 7 * * 8' is not valid: Value 8 not in range [0, 7]",
      "@daily          | cron expression '@daily' is not valid: Nicknames not supported!",
      "0 0 30 2 *      | cron expression '0 0 30 2 *' never fires (no date matches its day and month fields)",
      "every morning   | cron expression 'every morning' is not valid: it has 2 fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)"})
  void aBadExpression_isOneLineNamingIt(String expression, String message) {
    assertThatThrownBy(() -> CronSchedule.parse(expression, ZoneOffset.UTC))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void aMissingExpressionOrAnUnknownZone_isNamed() {
    assertThatThrownBy(() -> CronSchedule.parse(" ", ZoneOffset.UTC)).hasMessageStartingWith(
        "cron expression is missing");
    assertThatThrownBy(() -> CronSchedule.zone("Mars/Olympus")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("time zone 'Mars/Olympus' is not known");
  }
}
