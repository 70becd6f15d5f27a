package io.groupsnap.writer.client;

import java.util.regex.Pattern;

/**
 * The agent's rule for names (the application and volume names this client sends), checked here so that a bad name
 * fails at build time with the agent's message rather than as a refused subscription. It is the rule and the message
 * of {@code io.groupsnap.common.Names} (the value quoted as {@code io.groupsnap.common.Printable} does), kept here so
 * that this library depends on the wire format only and brings no ZooKeeper into an application;
 * {@code ClientNamesTest} fails if the two ever disagree.
 */
final class ClientNames {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final int MAX_PRINTED = 64;

  private ClientNames() {}

  static boolean isValid(String value) {
    return value != null && NAME.matcher(value).matches() && !value.contains("..");
  }

  /** Returns {@code value} when valid; otherwise throws naming {@code what} and the value, made printable. */
  static String require(String what, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " is missing");
    }
    if (!isValid(value)) {
      throw new IllegalArgumentException(what + " '" + printable(value)
          + "' is not a valid name (letters, digits, '.', '_', '-'; starts with a letter or digit; at most 63)");
    }
    return value;
  }

  /** The value quoted as the agent quotes it: control, format and separator characters escaped, cut when long. */
  private static String printable(String value) {
    int end = Math.min(value.length(), MAX_PRINTED);
    if (end < value.length() && end > 0 && Character.isHighSurrogate(value.charAt(end - 1))) {
      end--;
    }
    StringBuilder out = new StringBuilder(end + 16);
    for (int i = 0; i < end; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          int type = Character.getType(c);
          if (Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
              || type == Character.PARAGRAPH_SEPARATOR) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    if (end < value.length()) {
      out.append("\u2026(").append(value.length()).append(" chars)");
    }
    return out.toString();
  }
}
