package io.groupsnap.coordinator.api;

import java.util.Collection;

/**
 * Refuses work on agents that another operation holds: a group snapshot or a backup run must not start on a member
 * under an unsettled in-place restore (its writers may be stopped, its volumes half-switched). Implemented by the
 * in-place restores; asked by the transaction start and the run driver before anything is written. Thread-safe.
 */
@FunctionalInterface
public interface MemberGuard {
  /** Lets everything through. */
  MemberGuard NONE = agents -> { };

  /**
   * @throws IllegalStateException (FAILED_PRECONDITION) naming the agent and what holds it, when one of
   *     {@code agentIds} is held
   * @throws Exception when that cannot be known (ZooKeeper unreachable): nothing is started either
   */
  void requireFree(Collection<String> agentIds) throws Exception;
}
