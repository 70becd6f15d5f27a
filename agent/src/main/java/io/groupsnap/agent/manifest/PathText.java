package io.groupsnap.agent.manifest;

import io.groupsnap.common.Printable;

/**
 * A relative path made safe for a one-line message: control, format and line-separator characters escaped
 * ({@link Printable}), and a long path cut at its start, so that the file's own name always shows. Pure.
 */
public final class PathText {
  /** How many characters of an escaped path are shown at most. */
  static final int MAX_CHARS = 160;

  private PathText() {}

  public static String of(String path) {
    String escaped = Printable.escapeAndCut(path, Integer.MAX_VALUE);
    if (escaped.length() <= MAX_CHARS) {
      return escaped;
    }
    int from = escaped.length() - MAX_CHARS;
    if (Character.isLowSurrogate(escaped.charAt(from))) {
      from++;
    }
    return "…" + escaped.substring(from);
  }
}
