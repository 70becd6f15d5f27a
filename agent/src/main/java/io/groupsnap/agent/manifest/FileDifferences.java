package io.groupsnap.agent.manifest;

import java.util.List;

/**
 * How a tree compared with a capture's manifest, entry by entry.
 *
 * @param usable whether the manifest was read whole and belongs to the fingerprint compared with; when not, the
 *     other fields say nothing and {@code unusableReason} says why
 * @param recordedEntries how many entries the manifest holds
 * @param differing how many of them are missing from the tree or differ in type, size or contents
 * @param unexpected how many entries the tree holds that the manifest does not
 * @param named the first differences, one phrase each, paths printed safely ({@link PathText})
 * @param hashesCompared whether contents were compared (both sides had SHA-256s), not only types and sizes
 */
public record FileDifferences(boolean usable, String unusableReason, long recordedEntries, long differing,
    long unexpected, List<String> named, boolean hashesCompared) {

  public FileDifferences {
    named = List.copyOf(named);
  }

  /** A manifest that cannot be used, and why. */
  public static FileDifferences unusable(String why) {
    return new FileDifferences(false, why, 0, 0, 0, List.of(), false);
  }

  /** Whether the manifest was usable and something differs. */
  public boolean any() {
    return usable && (differing > 0 || unexpected > 0);
  }

  /**
   * One line naming the first differences and counting all, e.g. {@code file logs/0003.log differs from the capture
   * (sha256 1a2b3c4d5e6f..., recorded 0f9e8d7c6b5a...); 1 of 20 entries differ}; null when nothing differs.
   */
  public String describe() {
    if (!any()) {
      return null;
    }
    StringBuilder b = new StringBuilder(String.join("; ", named));
    if (differing > 0) {
      b.append("; ").append(differing).append(" of ").append(recordedEntries).append(" entries differ");
    }
    if (unexpected > 0) {
      b.append(differing > 0 ? ", " : "; ").append(unexpected).append(" unexpected");
    }
    long total = differing + unexpected;
    if (total > named.size()) {
      b.append(" (the first ").append(named.size()).append(" named)");
    }
    return b.toString();
  }
}
