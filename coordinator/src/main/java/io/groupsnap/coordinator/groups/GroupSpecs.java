package io.groupsnap.coordinator.groups;

import io.groupsnap.common.Names;
import io.groupsnap.common.Printable;
import io.groupsnap.proto.v1.GroupMember;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.LabelSelector;
import io.groupsnap.proto.v1.RetentionPolicy;
import io.groupsnap.proto.v1.RetryPolicy;
import io.groupsnap.proto.v1.VerifyPolicy;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Checks a named group before it is stored: every name, label, bound and policy field, so that a stored group can
 * only fail a run for what changes at run time (agents coming and going). Each error is one line naming the field
 * ({@code members[2].volume}, {@code local_retention.keep_daily}). Stateless.
 *
 * <p>The freeze timeout and lease bounds are those the coordinator enforces for every group snapshot
 * ({@code CoordinatorConfig.MIN/MAX_FREEZE_TIMEOUT}, {@code CoordinatorCore.MAX_LEASE}); a test keeps them equal.
 */
public final class GroupSpecs {
  public static final Duration MIN_FREEZE_TIMEOUT = Duration.ofMillis(100);
  public static final Duration MAX_FREEZE_TIMEOUT = Duration.ofMinutes(10);
  public static final Duration MAX_LEASE = Duration.ofHours(1);
  /** The longest backoff between two attempts of a run. */
  public static final Duration MAX_BACKOFF = Duration.ofDays(1);
  public static final int MAX_ATTEMPTS = 100;
  /** The bounds of a verify policy's interval ({@code verify.every_millis}; 0 is none). */
  public static final Duration MIN_VERIFY_EVERY = Duration.ofMinutes(1);
  public static final Duration MAX_VERIFY_EVERY = Duration.ofDays(366);
  public static final int MAX_DESCRIPTION = 512;
  public static final int MAX_LABEL_VALUE = 256;
  /** A group record stays far below ZooKeeper's 1 MiB node limit. */
  public static final int MAX_BYTES = 512 * 1024;

  private GroupSpecs() {}

  /**
   * Returns {@code g} when it may be stored.
   *
   * @throws IllegalArgumentException one line naming the first field that is wrong
   */
  public static GroupSpec validate(GroupSpec g) {
    Names.require("name", g.getName());
    requireText("description", g.getDescription(), MAX_DESCRIPTION, true);
    if (g.getMembersCount() == 0 && g.getSelectorsCount() == 0) {
      throw new IllegalArgumentException("group " + g.getName() + " needs at least one member or selector");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < g.getMembersCount(); i++) {
      GroupMember m = g.getMembers(i);
      Names.require("members[" + i + "].agent_id", m.getAgentId());
      if (!m.getVolume().isEmpty()) {
        Names.require("members[" + i + "].volume", m.getVolume());
      }
      if (!seen.add(m.getAgentId() + ":" + m.getVolume())) {
        throw new IllegalArgumentException("members[" + i + "] " + member(m) + " is listed twice");
      }
    }
    for (int i = 0; i < g.getSelectorsCount(); i++) {
      selector("selectors[" + i + "]", g.getSelectors(i));
    }
    if (!g.getExportTarget().isEmpty()) {
      Names.require("export_target", g.getExportTarget());
    }
    retention("local_retention", g.getLocalRetention());
    retention("export_retention", g.getExportRetention());
    retry(g.getRetry());
    verify(g.getVerify());
    timeZone(g.getTimeZone());
    budgets(g.getFreezeTimeoutMillis(), g.getLeaseMillis());
    if (g.getSerializedSize() > MAX_BYTES) {
      throw new IllegalArgumentException("group " + g.getName() + " is too large (" + g.getSerializedSize()
          + " bytes, at most " + MAX_BYTES + ")");
    }
    return g;
  }

  /** "agent" or "agent:volume". */
  public static String member(GroupMember m) {
    return m.getVolume().isEmpty() ? m.getAgentId() : m.getAgentId() + ":" + m.getVolume();
  }

  private static void selector(String field, LabelSelector s) {
    if (s.getMatchLabelsCount() == 0) {
      throw new IllegalArgumentException(field + " needs at least one label (key=value)");
    }
    for (Map.Entry<String, String> e : s.getMatchLabelsMap().entrySet()) {
      Names.require(field + " label key", e.getKey());
      requireText(field + " label " + e.getKey(), e.getValue(), MAX_LABEL_VALUE, false);
    }
    if (!s.getVolume().isEmpty()) {
      Names.require(field + ".volume", s.getVolume());
    }
  }

  private static void retention(String field, RetentionPolicy r) {
    nonNegative(field + ".keep_last", r.getKeepLast());
    nonNegative(field + ".keep_hourly", r.getKeepHourly());
    nonNegative(field + ".keep_daily", r.getKeepDaily());
    nonNegative(field + ".keep_weekly", r.getKeepWeekly());
    nonNegative(field + ".keep_monthly", r.getKeepMonthly());
    nonNegative(field + ".keep_yearly", r.getKeepYearly());
    nonNegative(field + ".keep_within_millis", r.getKeepWithinMillis());
  }

  private static void retry(RetryPolicy r) {
    if (r.getMaxAttempts() < 0 || r.getMaxAttempts() > MAX_ATTEMPTS) {
      throw new IllegalArgumentException("retry.max_attempts " + r.getMaxAttempts() + " is outside 0.." + MAX_ATTEMPTS
          + " (0: the default)");
    }
    backoff("retry.initial_backoff_millis", r.getInitialBackoffMillis());
    backoff("retry.max_backoff_millis", r.getMaxBackoffMillis());
    if (r.getInitialBackoffMillis() > 0 && r.getMaxBackoffMillis() > 0
        && r.getInitialBackoffMillis() > r.getMaxBackoffMillis()) {
      throw new IllegalArgumentException("retry.initial_backoff_millis " + r.getInitialBackoffMillis()
          + " is longer than retry.max_backoff_millis " + r.getMaxBackoffMillis());
    }
  }

  private static void verify(VerifyPolicy v) {
    long ms = v.getEveryMillis();
    nonNegative("verify.every_millis", ms);
    if (ms > 0 && (ms < MIN_VERIFY_EVERY.toMillis() || ms > MAX_VERIFY_EVERY.toMillis())) {
      throw new IllegalArgumentException("verify.every_millis " + ms + " is outside " + MIN_VERIFY_EVERY.toMinutes()
          + "m.." + MAX_VERIFY_EVERY.toDays() + "d (0: no scheduled verification)");
    }
  }

  private static void backoff(String field, long ms) {
    nonNegative(field, ms);
    if (ms > MAX_BACKOFF.toMillis()) {
      throw new IllegalArgumentException(field + " " + ms + " is longer than " + MAX_BACKOFF.toHours() + "h");
    }
  }

  private static void timeZone(String tz) {
    if (!tz.isEmpty() && !ZoneId.getAvailableZoneIds().contains(tz)) {
      throw new IllegalArgumentException("time_zone '" + Printable.value(tz) + "' is not an IANA time zone id "
          + "(e.g. UTC, Europe/Berlin, America/New_York)");
    }
  }

  private static void budgets(long freezeMs, long leaseMs) {
    nonNegative("freeze_timeout_millis", freezeMs);
    nonNegative("lease_millis", leaseMs);
    if (freezeMs > 0 && (freezeMs < MIN_FREEZE_TIMEOUT.toMillis() || freezeMs > MAX_FREEZE_TIMEOUT.toMillis())) {
      throw new IllegalArgumentException("freeze_timeout " + freezeMs + "ms is outside 100ms..10m");
    }
    if (leaseMs > MAX_LEASE.toMillis()) {
      throw new IllegalArgumentException("lease " + leaseMs + "ms is longer than " + MAX_LEASE.toMinutes() + "m");
    }
    if (leaseMs > 0 && freezeMs > 0 && leaseMs <= freezeMs) {
      throw new IllegalArgumentException("lease " + leaseMs + "ms must be longer than the freeze timeout " + freezeMs
          + "ms");
    }
  }

  private static void nonNegative(String field, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " " + value + " must not be negative");
    }
  }

  private static void requireText(String field, String value, int max, boolean emptyOk) {
    if (value.isEmpty()) {
      if (emptyOk) {
        return;
      }
      throw new IllegalArgumentException(field + " is empty");
    }
    if (value.length() > max) {
      throw new IllegalArgumentException(field + " is too long (" + value.length() + " characters, at most " + max
          + ")");
    }
    if (value.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
        || c == '\u2028' || c == '\u2029')) {
      throw new IllegalArgumentException(field + " '" + Printable.value(value) + "' contains control characters");
    }
  }
}
