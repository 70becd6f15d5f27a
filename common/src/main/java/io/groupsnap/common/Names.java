package io.groupsnap.common;

import java.util.regex.Pattern;

/**
 * Validation of the names operators give things: clusters, agents, volumes, writers, group snapshot ids.
 *
 * <p>A name becomes a ZooKeeper node name and a directory name, so it is restricted to a conservative alphabet: a
 * letter or digit, then up to 62 letters, digits, '.', '_' or '-'. No path separator, no "..", no shell character can
 * get through, which is what lets names be used in paths and command arguments without quoting.
 */
public final class Names {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private Names() {}

  /** True when {@code value} is a valid name. */
  public static boolean isValid(String value) {
    return value != null && NAME.matcher(value).matches() && !value.contains("..");
  }

  /**
   * Returns {@code value} when valid.
   *
   * @param what what the name names, for the message ("agent id", "volumes[2].name")
   * @throws IllegalArgumentException naming {@code what} and the offending value
   */
  public static String require(String what, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " is missing");
    }
    if (!isValid(value)) {
      throw new IllegalArgumentException(what + " '" + printable(value)
          + "' is not a valid name (letters, digits, '.', '_', '-'; starts with a letter or digit; at most 63)");
    }
    return value;
  }

  /** The value made safe for a one-line error: control characters escaped, cut when long ({@link Printable#value}). */
  public static String printable(String value) {
    return Printable.value(value);
  }
}
