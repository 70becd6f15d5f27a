package io.groupsnap.coordinator.audit;

import io.groupsnap.common.Durations;
import java.time.Duration;

/**
 * How long the audit trail keeps its entries: the leader removes, oldest first, entries older than {@code maxAge}
 * and those beyond the newest {@code maxEntries}, every {@code pruneEvery}.
 *
 * <p>The upper bound on {@code maxEntries} keeps the trail's directory listable: ZooKeeper answers a listing in one
 * packet, and {@value #MAX_ENTRIES} entry names (about 16 bytes each, 3.2 MB) stay within the answer size the
 * project's clients accept ({@code ZkClients.MAX_ANSWER_BYTES}, 8 MiB; ZooKeeper's default of 1 MiB holds only about
 * 65,000) even after a burst between two pruning passes.
 */
public record AuditRetention(Duration maxAge, int maxEntries, Duration pruneEvery) {
  public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(90);
  public static final int DEFAULT_MAX_ENTRIES = 100_000;
  public static final Duration DEFAULT_PRUNE_EVERY = Duration.ofHours(1);
  public static final Duration MIN_MAX_AGE = Duration.ofHours(1);
  public static final Duration MAX_MAX_AGE = Duration.ofDays(3650);
  public static final int MIN_ENTRIES = 100;
  public static final int MAX_ENTRIES = 200_000;
  /** Below this a pruning pass would keep listing the trail (tests use it). */
  public static final Duration MIN_PRUNE_EVERY = Duration.ofMillis(100);

  public static final AuditRetention DEFAULT =
      new AuditRetention(DEFAULT_MAX_AGE, DEFAULT_MAX_ENTRIES, DEFAULT_PRUNE_EVERY);

  /** @throws IllegalArgumentException naming the setting and its bounds */
  public AuditRetention {
    if (maxAge.compareTo(MIN_MAX_AGE) < 0 || maxAge.compareTo(MAX_MAX_AGE) > 0) {
      throw new IllegalArgumentException("audit retention " + Durations.format(maxAge) + " is outside 1h..3650d");
    }
    if (maxEntries < MIN_ENTRIES || maxEntries > MAX_ENTRIES) {
      throw new IllegalArgumentException("audit max entries " + maxEntries + " is outside " + MIN_ENTRIES + ".."
          + MAX_ENTRIES);
    }
    if (pruneEvery.compareTo(MIN_PRUNE_EVERY) < 0) {
      throw new IllegalArgumentException("audit pruning interval " + pruneEvery.toMillis() + "ms is shorter than "
          + MIN_PRUNE_EVERY.toMillis() + "ms");
    }
  }

  public AuditRetention withMaxAge(Duration age) {
    return new AuditRetention(age, maxEntries, pruneEvery);
  }

  public AuditRetention withMaxEntries(int entries) {
    return new AuditRetention(maxAge, entries, pruneEvery);
  }

  public AuditRetention withPruneEvery(Duration every) {
    return new AuditRetention(maxAge, maxEntries, every);
  }
}
