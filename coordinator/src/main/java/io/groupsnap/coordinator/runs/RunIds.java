package io.groupsnap.coordinator.runs;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * The form of a backup run id, {@code run-YYYYMMDD-HHMMSS-xxxxxx} (UTC time, six random lower-case hex digits), as
 * {@code GroupSnapshotIds} is for group snapshots. Thread-safe when the random source is.
 */
public final class RunIds {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
      .withZone(ZoneOffset.UTC);
  private static final Pattern FORM = Pattern.compile("run-\\d{8}-\\d{6}-[0-9a-f]{6}");

  private RunIds() {}

  /** A new id for a run started at {@code now}. */
  public static String mint(Instant now, Random random) {
    byte[] b = new byte[3];
    random.nextBytes(b);
    return "run-" + TIME.format(now) + "-" + HexFormat.of().formatHex(b);
  }

  /** True when {@code id} has the form {@link #mint} gives. */
  public static boolean isWellFormed(String id) {
    return id != null && FORM.matcher(id).matches();
  }
}
