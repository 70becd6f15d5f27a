package io.groupsnap.cli.command;

import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.Printable;
import io.groupsnap.coordinator.groups.GroupSpecs;
import io.groupsnap.proto.v1.GroupMember;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.LabelSelector;
import io.groupsnap.proto.v1.RetentionPolicy;
import io.groupsnap.proto.v1.RetryPolicy;
import io.groupsnap.proto.v1.VerifyPolicy;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of {@code group create} and {@code group update}. Only the options given change a group: a list option
 * (members, selectors) given replaces that list, every other option its one field. Each error names its option.
 */
public final class GroupOptions {
  @Option(names = "--member", paramLabel = "AGENT[:VOLUME]",
      description = "A required member; repeat for more. Without a volume: all of the agent's volumes.")
  List<String> members;

  @Option(names = "--optional-member", paramLabel = "AGENT[:VOLUME]",
      description = "A member left out, without failing the run, while its agent is not registered.")
  List<String> optionalMembers;

  @Option(names = "--selector", paramLabel = "K=V[,K=V...][:VOLUME]",
      description = "Every registered agent whose labels include all of these; repeat for more. A selector that "
          + "matches no agent fails the run.")
  List<String> selectors;

  @Option(names = "--description", paramLabel = "TEXT") String description;
  @Option(names = "--freeze-timeout", paramLabel = "DURATION") String freezeTimeout;
  @Option(names = "--lease", paramLabel = "DURATION") String lease;
  @Option(names = "--export-target", paramLabel = "NAME",
      description = "An export target every member's agent configures.") String exportTarget;
  @Option(names = "--time-zone", paramLabel = "ZONE", description = "IANA zone for retention buckets, e.g. UTC.")
  String timeZone;
  @Option(names = "--max-attempts", paramLabel = "N") Integer maxAttempts;
  @Option(names = "--retry-backoff", paramLabel = "DURATION") String retryBackoff;
  @Option(names = "--retry-max-backoff", paramLabel = "DURATION") String retryMaxBackoff;

  @Option(names = "--verify-every", paramLabel = "DURATION|off",
      description = "Test-restore the newest completed run when it is not verified and the group's last "
          + "verification is this old (at least 1m); off: never on a schedule.")
  String verifyEvery;

  @Option(names = "--keep-last", paramLabel = "N") Integer keepLast;
  @Option(names = "--keep-hourly", paramLabel = "N") Integer keepHourly;
  @Option(names = "--keep-daily", paramLabel = "N") Integer keepDaily;
  @Option(names = "--keep-weekly", paramLabel = "N") Integer keepWeekly;
  @Option(names = "--keep-monthly", paramLabel = "N") Integer keepMonthly;
  @Option(names = "--keep-yearly", paramLabel = "N") Integer keepYearly;
  @Option(names = "--keep-within", paramLabel = "DURATION") String keepWithin;

  @Option(names = "--export-keep-last", paramLabel = "N") Integer exportKeepLast;
  @Option(names = "--export-keep-hourly", paramLabel = "N") Integer exportKeepHourly;
  @Option(names = "--export-keep-daily", paramLabel = "N") Integer exportKeepDaily;
  @Option(names = "--export-keep-weekly", paramLabel = "N") Integer exportKeepWeekly;
  @Option(names = "--export-keep-monthly", paramLabel = "N") Integer exportKeepMonthly;
  @Option(names = "--export-keep-yearly", paramLabel = "N") Integer exportKeepYearly;
  @Option(names = "--export-keep-within", paramLabel = "DURATION") String exportKeepWithin;

  /** {@code base} with the options given applied. */
  GroupSpec apply(GroupSpec base) throws CliException {
    GroupSpec.Builder b = base.toBuilder();
    if (members != null || optionalMembers != null) {
      b.clearMembers();
      for (String m : members == null ? List.<String>of() : members) {
        b.addMembers(member("--member", m, false));
      }
      for (String m : optionalMembers == null ? List.<String>of() : optionalMembers) {
        b.addMembers(member("--optional-member", m, true));
      }
    }
    if (selectors != null) {
      b.clearSelectors();
      for (String s : selectors) {
        b.addSelectors(selector(s));
      }
    }
    if (description != null) {
      b.setDescription(description);
    }
    if (freezeTimeout != null) {
      b.setFreezeTimeoutMillis(SnapshotCommand.duration("--freeze-timeout", freezeTimeout).toMillis());
    }
    if (lease != null) {
      b.setLeaseMillis(SnapshotCommand.duration("--lease", lease).toMillis());
    }
    if (exportTarget != null) {
      b.setExportTarget(exportTarget.isEmpty() ? "" : Connection.name("--export-target", exportTarget));
    }
    if (timeZone != null) {
      b.setTimeZone(timeZone);
    }
    RetryPolicy.Builder r = b.getRetry().toBuilder();
    if (maxAttempts != null) {
      r.setMaxAttempts(count("--max-attempts", maxAttempts));
    }
    if (retryBackoff != null) {
      r.setInitialBackoffMillis(SnapshotCommand.duration("--retry-backoff", retryBackoff).toMillis());
    }
    if (retryMaxBackoff != null) {
      r.setMaxBackoffMillis(SnapshotCommand.duration("--retry-max-backoff", retryMaxBackoff).toMillis());
    }
    b.setRetry(r);
    if (verifyEvery != null) {
      b.setVerify(VerifyPolicy.newBuilder().setEveryMillis(verifyEvery.equals("off") ? 0
          : SnapshotCommand.duration("--verify-every", verifyEvery).toMillis()));
    }
    b.setLocalRetention(retention("--", b.getLocalRetention(), keepLast, keepHourly, keepDaily, keepWeekly,
        keepMonthly, keepYearly, keepWithin));
    b.setExportRetention(retention("--export-", b.getExportRetention(), exportKeepLast, exportKeepHourly,
        exportKeepDaily, exportKeepWeekly, exportKeepMonthly, exportKeepYearly, exportKeepWithin));
    return b.build();
  }

  /** The group's fields and the options that set them, longest prefix first, for {@link #checked}'s errors. */
  private static final String[][] FIELD_OPTIONS = {
      {"retry.max_attempts", "--max-attempts"}, {"retry.initial_backoff_millis", "--retry-backoff"},
      {"retry.max_backoff_millis", "--retry-max-backoff"}, {"time_zone", "--time-zone"},
      {"freeze_timeout", "--freeze-timeout"}, {"lease", "--lease"}, {"export_target", "--export-target"},
      {"description", "--description"}, {"verify.every_millis", "--verify-every"}, {"members[", "--member"}, {"selectors[", "--selector"},
      {"local_retention.keep_within_millis", "--keep-within"}, {"export_retention.keep_within_millis",
          "--export-keep-within"}, {"local_retention.keep_", "--keep-"}, {"export_retention.keep_", "--export-keep-"}};

  /**
   * Checks the whole group as the coordinator will ({@link GroupSpecs#validate}), before any call, so that a value
   * out of range is named by the option that set it: {@code --max-attempts: retry.max_attempts 99 is outside 0..10}.
   */
  static GroupSpec checked(GroupSpec g) throws CliException {
    try {
      return GroupSpecs.validate(g);
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      for (String[] fo : FIELD_OPTIONS) {
        if (m.startsWith(fo[0])) {
          String option = fo[1];
          if (option.endsWith("-")) { // keep_daily -> --keep-daily
            String rest = m.substring(fo[0].length());
            option += rest.substring(0, rest.indexOf(' ') < 0 ? rest.length() : rest.indexOf(' ')).replace('_', '-');
          }
          throw new CliException(ExitCodes.USAGE, option + ": " + m);
        }
      }
      if (m.contains("needs at least one member or selector")) {
        throw new CliException(ExitCodes.USAGE, "--member or --selector: " + m);
      }
      throw new CliException(ExitCodes.USAGE, m);
    }
  }

  private static RetentionPolicy retention(String prefix, RetentionPolicy base, Integer last, Integer hourly,
      Integer daily, Integer weekly, Integer monthly, Integer yearly, String within) throws CliException {
    RetentionPolicy.Builder p = base.toBuilder();
    if (last != null) {
      p.setKeepLast(count(prefix + "keep-last", last));
    }
    if (hourly != null) {
      p.setKeepHourly(count(prefix + "keep-hourly", hourly));
    }
    if (daily != null) {
      p.setKeepDaily(count(prefix + "keep-daily", daily));
    }
    if (weekly != null) {
      p.setKeepWeekly(count(prefix + "keep-weekly", weekly));
    }
    if (monthly != null) {
      p.setKeepMonthly(count(prefix + "keep-monthly", monthly));
    }
    if (yearly != null) {
      p.setKeepYearly(count(prefix + "keep-yearly", yearly));
    }
    if (within != null) {
      p.setKeepWithinMillis(SnapshotCommand.duration(prefix + "keep-within", within).toMillis());
    }
    return p.build();
  }

  private static int count(String option, int n) throws CliException {
    if (n < 0) {
      throw new CliException(ExitCodes.USAGE, option + ": " + n + " must not be negative");
    }
    return n;
  }

  static GroupMember member(String option, String text, boolean optional) throws CliException {
    String[] parts = text.split(":", -1);
    String shown = option + " '" + Printable.value(text) + "'";
    if (parts.length > 2) {
      throw new CliException(ExitCodes.USAGE, shown + ": expected AGENT or AGENT:VOLUME");
    }
    GroupMember.Builder b = GroupMember.newBuilder().setAgentId(Connection.name(shown + ": agent", parts[0]))
        .setOptional(optional);
    if (parts.length == 2) {
      b.setVolume(Connection.name(shown + ": volume", parts[1]));
    }
    return b.build();
  }

  /** {@code k=v[,k=v...][:VOLUME]}: the part after the last ':' is a volume when it holds no '='. */
  static LabelSelector selector(String text) throws CliException {
    String shown = "--selector '" + Printable.value(text) + "'";
    String labels = text;
    LabelSelector.Builder b = LabelSelector.newBuilder();
    int colon = text.lastIndexOf(':');
    if (colon >= 0 && text.indexOf('=', colon) < 0) {
      labels = text.substring(0, colon);
      b.setVolume(Connection.name(shown + ": volume", text.substring(colon + 1)));
    }
    if (labels.isEmpty()) {
      throw new CliException(ExitCodes.USAGE, shown + ": expected at least one KEY=VALUE");
    }
    for (String pair : labels.split(",", -1)) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new CliException(ExitCodes.USAGE, shown + ": '" + Printable.value(pair) + "' is not KEY=VALUE");
      }
      String key = Connection.name(shown + ": label key", pair.substring(0, eq));
      if (b.containsMatchLabels(key)) {
        throw new CliException(ExitCodes.USAGE, shown + ": label " + key + " is given twice");
      }
      b.putMatchLabels(key, pair.substring(eq + 1));
    }
    return b.build();
  }
}
