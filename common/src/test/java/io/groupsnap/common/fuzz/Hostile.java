package io.groupsnap.common.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * Request field values for fuzz targets, drawn from the fuzzer's data: mostly the few values a fixture knows (so that
 * calls get past validation and reach state), else hostile ones — path traversal, separators, control and format
 * characters, empty and huge strings, boundary numbers — or whatever the fuzzer makes of its bytes.
 */
public final class Hostile {
  private static final List<String> STRINGS = List.of("", " ", "..", "../", "../../etc/passwd", "/etc", "a/b",
      "a\\b", ".", "-rf", "--help", "data\n\u001b[2J", "gs-1\n", "gs-1\0", "\u202egs-1", "gs\u20281", "$(id)",
      "`id`", ";rm -rf /", "{volume}", "%s%n", "\uD800", "\uFFFF", "é", "İ", "x".repeat(63), "x".repeat(64),
      "a..b", "-a", ".a", "_a", "CON", "gs-1/../gs-2");
  private static final long[] NUMBERS = {0, 1, -1, 2, 3, 99, 100, 5000, 60_000, 60_001, 3_600_000, 3_600_001,
      Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE / 1_000_000};

  private Hostile() {}

  /** One of {@code known} (three times in four), else a hostile string. */
  public static String string(FuzzedDataProvider data, List<String> known) {
    if (!known.isEmpty() && data.consumeInt(0, 3) > 0) {
      return data.pickValue(known);
    }
    return hostile(data);
  }

  /** A hostile string: a listed one, a huge one, or the fuzzer's own. */
  public static String hostile(FuzzedDataProvider data) {
    switch (data.consumeInt(0, 3)) {
      case 0:
        return data.pickValue(STRINGS);
      case 1: {
        String unit = data.consumeString(4);
        return (unit.isEmpty() ? "a" : unit).repeat(data.consumeInt(1, 100_000) / Math.max(1, unit.length()));
      }
      default:
        return data.consumeString(80);
    }
  }

  /** One of {@code known} (three times in four), else a boundary or arbitrary number. */
  public static long number(FuzzedDataProvider data, long... known) {
    if (known.length > 0 && data.consumeInt(0, 3) > 0) {
      return known[data.consumeInt(0, known.length - 1)];
    }
    return data.consumeBoolean() ? NUMBERS[data.consumeInt(0, NUMBERS.length - 1)] : data.consumeLong();
  }

  /** Up to {@code max} strings from {@link #string}; sometimes the same one repeated. */
  public static List<String> strings(FuzzedDataProvider data, List<String> known, int max) {
    int n = data.consumeInt(0, max);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(i > 0 && data.consumeInt(0, 7) == 0 ? out.get(i - 1) : string(data, known));
    }
    return out;
  }
}
