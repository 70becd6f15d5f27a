package io.groupsnap.common;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints the durations operators write: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code PT10S}. */
public final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
  /**
   * The longest duration accepted: ten years. Longer ones mean nothing to groupsnap, and keeping every duration
   * this short lets callers convert to milliseconds or nanoseconds without overflow.
   */
  public static final Duration MAX = Duration.ofDays(3650);

  private Durations() {}

  /**
   * Parses a positive duration of at most {@link #MAX}.
   *
   * @throws IllegalArgumentException with a message that quotes the text (escaped and cut, {@link Printable#value})
   *     and shows the accepted forms
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration (use e.g. 500ms, 10s, 2m)");
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("-") && t.length() > 1 && Character.isDigit(t.charAt(1))) {
      throw new IllegalArgumentException("duration '" + Printable.value(text) + "' must be positive");
    }
    Duration d;
    Matcher m = SIMPLE.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    } else if (t.startsWith("p")) {
      try {
        d = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw invalid(text);
      }
    } else {
      throw invalid(text);
    }
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("duration '" + Printable.value(text) + "' must be positive");
    }
    if (d.compareTo(MAX) > 0) {
      throw new IllegalArgumentException("duration '" + Printable.value(text) + "' is too long (at most "
          + MAX.toHours() + "h, ten years)");
    }
    return d;
  }

  /** A short human form: 850ms, 12.3s, 4m05s. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    return String.format(Locale.ROOT, "%dm%02ds", ms / 60_000, (ms / 1000) % 60);
  }

  /**
   * A whole-second duration in the largest unit that states it exactly, as an operator would write it ({@code 24h},
   * {@code 90m}, {@code 45s}): {@link #parse} reads it back to the same value. Milliseconds are dropped.
   */
  public static String compact(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s > 0 && s % 3600 == 0) {
      return s / 3600 + "h";
    }
    return s > 0 && s % 60 == 0 ? s / 60 + "m" : s + "s";
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("invalid duration '" + Printable.value(text)
        + "' (use a number with ms, s, m, h or d, e.g. 500ms, 10s, 2m, 7d; or ISO-8601 like PT10S or P7D)");
  }
}
