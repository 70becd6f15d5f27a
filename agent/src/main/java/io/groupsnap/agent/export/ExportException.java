package io.groupsnap.agent.export;

/** An export or forget that failed; the message is one line naming what failed and why. */
public final class ExportException extends Exception {
  public ExportException(String message) {
    super(oneLine(message));
  }

  /** {@code text} on one line: line breaks and other control characters become spaces, cut at 400 characters. */
  static String oneLine(String text) {
    StringBuilder b = new StringBuilder();
    String s = text == null ? "" : text.strip();
    for (int i = 0; i < s.length() && b.length() < 400; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? ' ' : c);
    }
    return s.length() > 400 ? b.append("...").toString() : b.toString();
  }
}
