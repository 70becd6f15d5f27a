package io.groupsnap.agent.txn;

import io.groupsnap.agent.snapshot.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Remembers the cluster this agent belongs to and the highest epoch it has seen, durably, and refuses anything older.
 *
 * <p>The pair is persisted through a {@link Store} whenever the epoch rises (on disk: {@code <stateDir>/epoch} as
 * {@code clusterId epoch}, replaced atomically with an fsync), so a restarted agent still refuses a deposed leader. A
 * different cluster id (the ZooKeeper data was recreated) resets the epoch: the old counter means nothing to the new
 * cluster. Thread-safe.
 */
public final class EpochFence {
  /** Where the (cluster id, highest epoch) pair survives restarts. */
  public interface Store {
    /** The persisted epoch for {@code clusterId}, or 0 when none (or another cluster's) was stored. */
    long load(String clusterId) throws IOException;

    void save(String clusterId, long epoch) throws IOException;

    /** A store in memory (simulations; a "restart" keeps the same object to model durability). */
    static Store inMemory() {
      return new Store() {
        private String cluster = "";
        private long epoch;

        @Override
        public synchronized long load(String clusterId) {
          return clusterId.equals(cluster) ? epoch : 0;
        }

        @Override
        public synchronized void save(String clusterId, long value) {
          cluster = clusterId;
          epoch = value;
        }
      };
    }

    /** A store in {@code <stateDir>/epoch}. */
    static Store onDisk(Path stateDir) {
      Path file = stateDir.resolve("epoch");
      return new Store() {
        @Override
        public long load(String clusterId) throws IOException {
          if (!Files.exists(file)) {
            return 0;
          }
          String[] parts = Files.readString(file, StandardCharsets.UTF_8).trim().split(" ");
          return parts.length == 2 && parts[0].equals(clusterId) ? Long.parseLong(parts[1]) : 0;
        }

        @Override
        public void save(String clusterId, long epoch) throws IOException {
          AtomicFiles.write(file, (clusterId + " " + epoch + "\n").getBytes(StandardCharsets.UTF_8));
        }
      };
    }
  }

  /** The cluster's current epoch, from the authority (ZooKeeper in an agent). */
  @FunctionalInterface
  public interface Authority {
    long currentEpoch() throws Exception;
  }

  private final Store store;
  private final String clusterId;
  private long highest;
  private volatile Authority authority;

  /** Loads the persisted epoch of {@code currentClusterId}, if any. */
  public EpochFence(Store store, String currentClusterId) throws IOException {
    this.store = store;
    this.clusterId = currentClusterId;
    this.highest = store.load(currentClusterId);
  }

  /** On disk in {@code stateDir}. */
  public EpochFence(Path stateDir, String currentClusterId) throws IOException {
    this(Store.onDisk(stateDir), currentClusterId);
  }

  /**
   * From now on, a request with an epoch higher than any seen is accepted only if the authority confirms the cluster
   * has reached it: a forged request with a huge epoch cannot lock real leaders out.
   */
  public void confirmWith(Authority a) {
    this.authority = a;
  }

  /** Accepts the request and raises the highest epoch seen, or refuses it. */
  public synchronized void admit(TxnRef ref) throws FencedException {
    if (!clusterId.equals(ref.clusterId())) {
      throw new FencedException("request for cluster " + ref.clusterId() + " but this agent belongs to " + clusterId);
    }
    if (ref.epoch() < highest) {
      throw new FencedException("stale epoch " + ref.epoch() + " (this agent has seen epoch " + highest + ")");
    }
    if (ref.epoch() > highest && authority != null) {
      long current;
      try {
        current = authority.currentEpoch();
      } catch (Exception e) {
        throw new FencedException("cannot confirm epoch " + ref.epoch() + " with the cluster: " + e.getMessage());
      }
      if (ref.epoch() > current) {
        throw new FencedException("epoch " + ref.epoch() + " is ahead of the cluster's epoch " + current);
      }
    }
    raise(ref.epoch());
  }

  /**
   * Raises the highest epoch seen without a request: an agent watching the epoch in ZooKeeper learns of a new leader
   * before that leader contacts it, and refuses the deposed one at once.
   */
  public synchronized void observe(long epoch) throws FencedException {
    raise(epoch);
  }

  private void raise(long epoch) throws FencedException {
    if (epoch > highest) {
      try {
        store.save(clusterId, epoch);
      } catch (IOException e) {
        throw new FencedException("cannot persist epoch " + epoch + ": " + e.getMessage());
      }
      highest = epoch;
    }
  }

  public synchronized long highest() {
    return highest;
  }

  public synchronized String clusterId() {
    return clusterId;
  }
}
