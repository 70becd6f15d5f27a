package io.groupsnap.agent.txn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Remembers the cluster this agent belongs to and the highest epoch it has seen, durably, and refuses anything older.
 *
 * <p>The pair is stored in {@code <stateDir>/epoch} as {@code clusterId epoch}, replaced atomically with an fsync
 * whenever the epoch rises, so a restarted agent still refuses a deposed leader. A different cluster id (the
 * ZooKeeper data was recreated) resets the epoch: the old counter means nothing to the new cluster. Thread-safe.
 */
public final class EpochFence {
  private final Path file;
  private String clusterId;
  private long highest;

  /** Loads the persisted pair, if any, then adopts {@code currentClusterId}. */
  public EpochFence(Path stateDir, String currentClusterId) throws IOException {
    this.file = stateDir.resolve("epoch");
    if (Files.exists(file)) {
      String[] parts = Files.readString(file, StandardCharsets.UTF_8).trim().split(" ");
      if (parts.length == 2 && parts[0].equals(currentClusterId)) {
        highest = Long.parseLong(parts[1]);
      }
    }
    this.clusterId = currentClusterId;
  }

  /** Accepts the request and raises the highest epoch seen, or refuses it. */
  public synchronized void admit(TxnRef ref) throws FencedException {
    if (!clusterId.equals(ref.clusterId())) {
      throw new FencedException("request for cluster " + ref.clusterId() + " but this agent belongs to " + clusterId);
    }
    if (ref.epoch() < highest) {
      throw new FencedException("stale epoch " + ref.epoch() + " (this agent has seen epoch " + highest + ")");
    }
    if (ref.epoch() > highest) {
      highest = ref.epoch();
      try {
        AtomicFiles.write(file, (clusterId + " " + highest + "\n").getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new FencedException("cannot persist epoch " + highest + ": " + e.getMessage());
      }
    }
  }

  public synchronized long highest() {
    return highest;
  }

  public synchronized String clusterId() {
    return clusterId;
  }
}
