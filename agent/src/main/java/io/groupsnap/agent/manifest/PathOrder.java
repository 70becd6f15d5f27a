package io.groupsnap.agent.manifest;

/**
 * The order in which a tree walk reports its entries: component by component, each component compared as
 * {@link String#compareTo} does, a directory before what it holds. Equal to comparing whole paths with {@code /}
 * ranked below every other character. Pure; thread-safe.
 */
public final class PathOrder {
  private PathOrder() {}

  /** Negative, zero or positive as {@code a} comes before, with or after {@code b} in a walk. */
  public static int compare(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        if (x == '/') {
          return -1;
        }
        if (y == '/') {
          return 1;
        }
        return x - y;
      }
    }
    return a.length() - b.length();
  }
}
