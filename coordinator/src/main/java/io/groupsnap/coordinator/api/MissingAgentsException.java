package io.groupsnap.coordinator.api;

import io.groupsnap.common.Names;
import io.groupsnap.proto.v1.KnownAgent;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A group snapshot of every agent was refused before anything started: agents the cluster knows are not registered,
 * and the request did not allow leaving them out. Carries them, for the caller to name (the gRPC edge sends them in
 * a trailer).
 */
public final class MissingAgentsException extends IllegalStateException {
  /** At most this many are named in the message. */
  static final int NAMED = 10;

  private final transient List<KnownAgent> missing;

  public MissingAgentsException(List<KnownAgent> missing, long nowMillis) {
    super(describe(missing, nowMillis));
    this.missing = List.copyOf(missing);
  }

  public List<KnownAgent> missing() {
    return missing;
  }

  /** One line: the agents (at most {@link #NAMED}), how long ago each was seen, and what the caller can do. */
  static String describe(List<KnownAgent> missing, long nowMillis) {
    String named = missing.stream().limit(NAMED)
        .map(k -> Names.printable(k.getAgentId()) + " (last seen " + ago(nowMillis - k.getLastSeenAtMillis()) + " ago)")
        .collect(Collectors.joining(", "));
    String more = missing.size() > NAMED ? " and " + (missing.size() - NAMED) + " more" : "";
    return missing.size() + " agent(s) known to this cluster are not registered: " + named + more
        + "; nothing was started: start them, name the members, or allow missing agents";
  }

  /** A short age: 41s, 12m05s, 3h12m, 2d04h. */
  public static String ago(long millis) {
    long s = Math.max(0, millis) / 1000;
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    if (s < 86_400) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s / 60) % 60);
    }
    return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, (s / 3600) % 24);
  }
}
