package io.groupsnap.common;

/**
 * Makes text that came from outside (an argument, a request field, a file) safe to echo in a one-line message.
 *
 * <p>Two guarantees: the result holds no control, format or line/paragraph separator character (each is written as
 * an escape such as {@code \n}, {@code \t} or {@code \u202e}), and it is bounded — a value longer than
 * {@link #VALUE_CHARS} is cut to its first {@value #VALUE_CHARS} characters followed by {@code …(N chars)}, N being the
 * original length. Every error that quotes input goes through here (names, durations, request fields, CLI arguments),
 * so no message can span lines or carry a megabyte. Pure functions; thread-safe.
 */
public final class Printable {
  /** How many characters of a quoted value are shown. */
  public static final int VALUE_CHARS = 64;
  /** How many characters of a whole message are shown (a last resort for messages that embed other text). */
  public static final int LINE_CHARS = 1000;

  private Printable() {}

  /** A quoted value: escaped, and cut after {@value #VALUE_CHARS} characters. {@code null} reads "null". */
  public static String value(String text) {
    return escapeAndCut(text, VALUE_CHARS);
  }

  /** A whole message: escaped, and cut after {@value #LINE_CHARS} characters. */
  public static String line(String text) {
    return escapeAndCut(text, LINE_CHARS);
  }

  /** Escaped, and cut after {@code max} characters of {@code text} (a surrogate pair is never split). */
  public static String escapeAndCut(String text, int max) {
    if (text == null) {
      return "null";
    }
    int end = Math.min(text.length(), max);
    if (end < text.length() && end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    StringBuilder out = new StringBuilder(end + 16);
    for (int i = 0; i < end; i++) {
      escape(text.charAt(i), out);
    }
    if (end < text.length()) {
      out.append("…(").append(text.length()).append(" chars)");
    }
    return out.toString();
  }

  private static void escape(char c, StringBuilder out) {
    switch (c) {
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      case '\t' -> out.append("\\t");
      default -> {
        if (needsEscape(c)) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
    }
  }

  private static boolean needsEscape(char c) {
    if (Character.isISOControl(c)) {
      return true;
    }
    int type = Character.getType(c);
    return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
  }
}
