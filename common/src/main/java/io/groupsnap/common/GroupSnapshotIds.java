package io.groupsnap.common;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * The form of a group snapshot id, {@code gs-YYYYMMDD-HHMMSS-xxxxxx} (UTC time, six random hex digits), minted by a
 * coordinator or by a client that wants to know the id before it sends the create (and so can find the group
 * snapshot again when the answer is lost). Thread-safe when the random source is.
 */
public final class GroupSnapshotIds {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
      .withZone(ZoneOffset.UTC);
  private static final Pattern FORM = Pattern.compile("gs-\\d{8}-\\d{6}-[0-9a-f]{6}");

  private GroupSnapshotIds() {}

  /** A new id for a group snapshot created at {@code now}. */
  public static String mint(Instant now, Random random) {
    byte[] b = new byte[3];
    random.nextBytes(b);
    return "gs-" + TIME.format(now) + "-" + HexFormat.of().formatHex(b);
  }

  /** True when {@code id} has the form {@link #mint} gives. */
  public static boolean isWellFormed(String id) {
    return id != null && FORM.matcher(id).matches();
  }
}
