package io.groupsnap.writer.client;

import java.util.regex.Pattern;

/**
 * The agent's rule for names (the application and volume names this client sends), checked here so that a bad name
 * fails at build time with the agent's message rather than as a refused subscription. It is the rule of
 * {@code io.groupsnap.common.Names}, kept here so that this library depends on the wire format only and brings no
 * ZooKeeper into an application; {@code ClientNamesTest} fails if the two ever disagree.
 */
final class ClientNames {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final int MAX_PRINTED = 80;

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

  private static String printable(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_PRINTED));
    for (int i = 0; i < value.length() && i < MAX_PRINTED; i++) {
      char c = value.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    if (value.length() > MAX_PRINTED) {
      out.append("...");
    }
    return out.toString();
  }
}
