package io.groupsnap.common.fuzz;

/**
 * The properties every fuzz target asserts about text that reaches an operator or a caller: one line, bounded, and
 * (for status descriptions) printable. Each check throws an {@link AssertionError} quoting the offending text.
 */
public final class FuzzChecks {
  private FuzzChecks() {}

  /** {@code text} is non-empty, at most {@code max} characters, and holds no line break of any kind. */
  public static void oneLine(String what, String text, int max) {
    if (text == null || text.isEmpty()) {
      throw new AssertionError(what + " is empty");
    }
    if (text.length() > max) {
      throw new AssertionError(what + " is " + text.length() + " characters long (at most " + max + "): "
          + text.substring(0, 200) + "...");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029' || c == '\u000b'
          || c == '\u000c') {
        throw new AssertionError(what + " spans lines (character " + i + "): " + text);
      }
    }
  }

  /** As {@link #oneLine}, and every character printable: no control or format character (escapes are fine). */
  public static void printableLine(String what, String text, int max) {
    oneLine(what, text, max);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int type = Character.getType(c);
      if (Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR) {
        throw new AssertionError(what + " holds the unprintable character U+" + String.format("%04X", (int) c)
            + " at " + i + ": " + text);
      }
    }
  }
}
