package io.groupsnap.coordinator.resolve;

import io.groupsnap.proto.v1.GroupSnapshot;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The cluster's records as the {@link Resolver} and the {@link Deleter} use them, bound to one leadership term: every
 * write is fenced by that term, so a write made after the term ended fails instead of landing.
 *
 * <p>Reads are synchronous and may throw (the store cannot be reached, a record cannot be decoded). Writes return a
 * future that completes when the write's outcome is known, failing with {@code FencedWriteException} when it was
 * refused (the term ended, a newer one began, or the record changed under it) and {@code UncertainWriteException}
 * when its outcome is unknown; it may complete on any thread, so callers continue on their own lane. In the daemon
 * the store is ZooKeeper and writes complete before they return; in the simulation they complete later, on the
 * event loop. Used from the resolver's lane (recovery, periodic passes, deletions); the daemon's implementation
 * is thread-safe as ClusterStore is.
 */
public interface LeaderRecords {
  /** The epoch of the term these records are bound to. */
  long epoch();

  /** Whether that term is still this process's acting term; by the time the caller acts it may have ended. */
  boolean current();

  /** Records that never reached a decision (for the leader to abort). */
  List<GroupSnapshot> unfinished() throws Exception;

  /** Committed records whose members were not all confirmed to keep their captures. */
  List<GroupSnapshot> unfinalized() throws Exception;

  /** Deletions that were started and not finished. */
  List<GroupSnapshot> deleting() throws Exception;

  /** A record as it is now; empty when there is none. */
  Optional<GroupSnapshot> get(String id) throws Exception;

  /** The agents registered now: their endpoints by agent id. */
  Map<String, String> registeredEndpoints() throws Exception;

  /**
   * Whether the cluster no longer knows {@code agentId} (forgotten by {@code agents forget} or after
   * {@code --forget-agents-after}): a retired host, whose captures a deletion no longer waits for. Should it ever come
   * back, its own reaper deletes the captures of group snapshots recorded DELETED.
   */
  default boolean retired(String agentId) throws Exception {
    return false;
  }

  /**
   * Writes {@code change} of the record as it is when the write is made, only if {@code expected} still holds of it
   * then; a write landing in between makes this one fail rather than be overwritten.
   *
   * @return the record written, or empty when there is no record or {@code expected} no longer holds of it
   */
  CompletableFuture<Optional<GroupSnapshot>> replaceTxn(String id, Predicate<GroupSnapshot> expected,
      UnaryOperator<GroupSnapshot> change);

  /**
   * A deletion's first step: a COMMITTED record becomes DELETING and leaves the catalog, atomically. One already
   * DELETING is returned as it is; any other state fails with {@link IllegalStateException}.
   */
  CompletableFuture<GroupSnapshot> markDeleting(GroupSnapshot g);

  /**
   * A deletion's last step, once every capture is gone: DELETING becomes DELETED. One already DELETED is returned as
   * it is; any other state fails with {@link IllegalStateException}.
   */
  CompletableFuture<GroupSnapshot> markDeleted(GroupSnapshot g);

  /** Records the registered agents as seen now, and forgets those unregistered for too long. */
  CompletableFuture<Void> rememberAgents();

  /** Removes old final records beyond the retention. */
  CompletableFuture<Void> prune();
}
