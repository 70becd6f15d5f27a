package io.groupsnap.agent.volume.lvm;

import io.groupsnap.common.Names;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The copy-on-write space of an LVM snapshot: an absolute size ({@code 2G}, {@code 512M}, {@code 1.5T}; units are
 * powers of 1024, as LVM reads them) passed as {@code --size}, or a percentage of the origin, the volume group or its
 * free space ({@code 10%ORIGIN}, {@code 5%VG}, {@code 50%FREE}) passed as {@code --extents}.
 *
 * @param text the normalized option value, as passed to {@code lvcreate}
 * @param bytes the absolute size; 0 for a percentage
 * @param percent the percentage; 0 for an absolute size
 * @param of what the percentage is of: ORIGIN, VG or FREE; null for an absolute size
 */
public record LvmSnapshotSize(String text, long bytes, int percent, String of) {
  private static final Pattern ABSOLUTE = Pattern.compile("(\\d{1,12})(?:\\.(\\d{1,6}))?([KMGTP])");
  private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})%(ORIGIN|VG|FREE)");
  private static final String UNITS = "KMGTP";

  /**
   * Parses an option value.
   *
   * @throws IllegalArgumentException quoting the value and the accepted forms
   */
  public static LvmSnapshotSize parse(String value) {
    String t = value == null ? "" : value.strip().toUpperCase(Locale.ROOT);
    Matcher p = PERCENT.matcher(t);
    if (p.matches()) {
      int pct = Integer.parseInt(p.group(1));
      if (pct < 1 || pct > 100) {
        throw new IllegalArgumentException("'" + Names.printable(value) + "': the percentage must be from 1 to 100");
      }
      return new LvmSnapshotSize(pct + "%" + p.group(2), 0, pct, p.group(2));
    }
    Matcher a = ABSOLUTE.matcher(t);
    if (a.matches()) {
      BigDecimal number = new BigDecimal(a.group(1) + (a.group(2) == null ? "" : "." + a.group(2)));
      BigDecimal unit = new BigDecimal(BigInteger.ONE.shiftLeft(10 * (UNITS.indexOf(a.group(3)) + 1)));
      BigDecimal b = number.multiply(unit).setScale(0, RoundingMode.CEILING);
      if (b.signum() <= 0 || b.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0) {
        throw new IllegalArgumentException("'" + Names.printable(value) + "' is not a usable size");
      }
      return new LvmSnapshotSize(t, b.longValueExact(), 0, null);
    }
    throw new IllegalArgumentException("'" + Names.printable(value) + "' is not a snapshot size (use a size with a "
        + "unit K, M, G, T or P such as 2G or 512M, or a percentage such as 10%ORIGIN, 5%VG or 50%FREE)");
  }

  /** The {@code lvcreate} arguments that ask for this size. */
  public List<String> lvcreateArgs() {
    return of == null ? List.of("--size", text) : List.of("--extents", text);
  }

  /**
   * The extents the snapshot takes in a volume group with extents of {@code extentBytes}, {@code vgExtents} in all
   * and {@code freeExtents} free, for an origin of {@code originBytes}; rounded up as LVM does.
   */
  public long extentsNeeded(long extentBytes, long originBytes, long vgExtents, long freeExtents) {
    if (of == null) {
      return ceilDiv(bytes, extentBytes);
    }
    long base = switch (of) {
      case "ORIGIN" -> ceilDiv(originBytes, extentBytes);
      case "VG" -> vgExtents;
      default -> freeExtents;
    };
    return Math.max(1, ceilDiv(base * percent, 100));
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
