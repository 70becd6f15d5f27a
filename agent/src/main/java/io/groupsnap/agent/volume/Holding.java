package io.groupsnap.agent.volume;

import java.util.Collection;
import java.util.Set;

/**
 * The one rule for volumes whose capture is consistent only while writers hold them ({@link Volume#needsHolder()}):
 * some writer must cover the volume. The agent's configuration is refused at load by it, and PREPARE refuses a
 * transaction by it (writers living in the process may be added after loading), with the same words. Stateless.
 */
public final class Holding {
  private Holding() {}

  /** True when a writer writing to {@code writerVolumes} (empty: every volume of the agent) holds {@code volume}. */
  public static boolean covers(Set<String> writerVolumes, String volume) {
    return writerVolumes.isEmpty() || writerVolumes.contains(volume);
  }

  /**
   * Why {@code volume} cannot be captured consistently with these writers, or null when it can.
   *
   * @param writers the volumes of each writer (an empty set: the writer writes to every volume)
   */
  public static String unheld(Volume volume, Collection<Set<String>> writers) {
    if (!volume.needsHolder() || writers.stream().anyMatch(w -> covers(w, volume.name()))) {
      return null;
    }
    return "no writer holds it, and a capture of kind " + volume.kind() + " is only consistent while its writers hold "
        + "(add a writer for it, or set its option allowUnheld: \"true\" if nothing writes to it during snapshots)";
  }
}
