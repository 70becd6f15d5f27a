package io.groupsnap.cli.command;

import io.groupsnap.cli.output.AuditView;
import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.cli.support.Target;
import io.groupsnap.common.Durations;
import io.groupsnap.common.Printable;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.ListAuditRequest;
import io.groupsnap.proto.v1.ListAuditResponse;
import io.groupsnap.proto.v1.ListedAuditEntry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code groupsnap audit list}: the audit trail of calls that changed, or tried to change, the cluster. */
@Command(name = "audit", description = "The audit trail: who changed what, when, and what came of it.",
    mixinStandardHelpOptions = true, subcommands = {AuditCommand.ListCmd.class})
public final class AuditCommand {
  private static final Pattern DAYS = Pattern.compile("(\\d{1,5})d");
  /** The most entries one listing prints. */
  static final int MAX_LIMIT = 100_000;

  /** {@code audit list}. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the newest audit entries, oldest first: time, who, method, target, outcome. A call that "
          + "may act has two entries: STARTED before it acts, then its outcome.")
  public static final class ListCmd implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin OutputOption output;

    @Option(names = "--since", paramLabel = "DURATION|TIME",
        description = "Only entries from this long ago (e.g. 30m, 24h, 7d) or since this ISO-8601 time "
            + "(e.g. 2026-01-15T10:00:00Z).")
    String since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
        description = "At most this many entries, the newest (1..100000, default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() throws Exception {
      long sinceMillis = since == null ? 0 : since("--since", since, Clock.systemUTC());
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new CliException(ExitCodes.USAGE, "--limit: " + limit + " is outside 1.." + MAX_LIMIT);
      }
      List<ListedAuditEntry> entries = new ArrayList<>();
      List<DamagedRecord> damaged = new ArrayList<>();
      try (Connection c = Connection.open(target)) {
        String token = "";
        do {
          ListAuditRequest req = ListAuditRequest.newBuilder().setSinceMillis(sinceMillis)
              .setLimit(limit - entries.size()).setPageToken(token).build();
          ListAuditResponse r = c.call(Connection.CALL_DEADLINE, s -> s.listAudit(req));
          entries.addAll(0, r.getEntriesList());
          damaged.addAll(0, r.getDamagedList());
          token = r.getNextPageToken();
        } while (!token.isEmpty() && entries.size() < limit);
      }
      AuditView.print(new Printer(output.format, spec.commandLine().getOut()), spec.commandLine().getOut(), entries,
          damaged);
      return ExitCodes.OK;
    }
  }

  private AuditCommand() {}

  /**
   * The time a {@code --since} names, in epoch milliseconds: a duration back from now ({@code 30m}, {@code 24h},
   * {@code 7d}, {@code PT1H}) or an ISO-8601 time with its offset.
   *
   * @throws CliException exit 2, one line naming the option and the value, when it is neither
   */
  static long since(String option, String text, Clock clock) throws CliException {
    String t = text.trim();
    if (t.length() > 10 && Character.isDigit(t.charAt(0)) && t.charAt(4) == '-') {
      try {
        return OffsetDateTime.parse(t).toInstant().toEpochMilli();
      } catch (DateTimeParseException e) {
        throw new CliException(ExitCodes.USAGE, option + ": '" + Printable.value(text) + "' is not an ISO-8601 "
            + "time with an offset (e.g. 2026-01-15T10:00:00Z)");
      }
    }
    try {
      return Instant.now(clock).minus(days(t)).toEpochMilli();
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, option + ": '" + Printable.value(text) + "' is neither a duration "
          + "(e.g. 30m, 24h, 7d) nor an ISO-8601 time (e.g. 2026-01-15T10:00:00Z)");
    }
  }

  /**
   * A duration as {@link Durations#parse} reads it, or a number of days ({@code 90d}) within {@link Durations#MAX}.
   *
   * @throws IllegalArgumentException when it is neither
   */
  public static Duration days(String text) {
    Matcher m = DAYS.matcher(text.trim());
    if (m.matches()) {
      Duration d = Duration.ofDays(Long.parseLong(m.group(1)));
      if (d.isZero() || d.compareTo(Durations.MAX) > 0) {
        throw new IllegalArgumentException("duration '" + Printable.value(text) + "' must be between 1d and "
            + Durations.MAX.toDays() + "d");
      }
      return d;
    }
    return Durations.parse(text);
  }
}
