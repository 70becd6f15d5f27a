package io.groupsnap.agent.manifest;

import java.io.IOException;

/**
 * Receives the entries of a tree walk, each directory before what it holds, siblings in name order (the order of
 * {@link PathOrder}).
 */
@FunctionalInterface
public interface TreeEntries {
  void accept(TreeEntry entry) throws IOException;

  /** Both receivers, in order; either may be null. Null when both are. */
  static TreeEntries both(TreeEntries first, TreeEntries second) {
    if (first == null) {
      return second;
    }
    if (second == null) {
      return first;
    }
    return e -> {
      first.accept(e);
      second.accept(e);
    };
  }
}
