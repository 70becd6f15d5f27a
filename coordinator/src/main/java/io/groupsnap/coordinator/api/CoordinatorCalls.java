package io.groupsnap.coordinator.api;

import io.groupsnap.coordinator.scrub.Scrubber;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.coordinator.txn.TransactionDriver;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.ClusterStatusResponse;
import io.groupsnap.proto.v1.DeleteGroupSnapshotResponse;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.KnownAgent;
import io.groupsnap.proto.v1.ListAuditResponse;
import io.groupsnap.proto.v1.MemberSelector;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a coordinator answers, whatever carries the request: the gRPC service ({@code CoordinatorGrpcService}) is one
 * edge over it. Mutating calls need the acting leader that has recovered: elsewhere they fail with
 * {@link NotLeaderException} naming the leader when one is known. Reads are answered by every coordinator.
 * Thread-safe: calls may come from any thread.
 */
public interface CoordinatorCalls {
  /**
   * Starts a group snapshot. Everything is checked before the transaction record is written: bad input leaves no
   * trace.
   *
   * @param id the id the caller chose ({@code GroupSnapshotIds} form), or null/empty for a new one
   * @param selectors the members; empty: every volume of every agent the cluster knows
   * @param freezeTimeout null for the default
   * @param lease null to derive it from the freeze timeout
   * @param prepareTimeout null for the default
   * @param allowMissing without selectors: go ahead without known agents that are not registered, naming them in the
   *     record; else such a request is refused
   * @throws IllegalArgumentException for a malformed id, bad selectors or limits, including a lease longer than a
   *     member's registered maxFreezeLease (the message names the field, or the agents and their limit)
   * @throws AlreadyExistsException when {@code id} is recorded already, or queued or running here
   * @throws MissingAgentsException when, without selectors, known agents are not registered and not allowed missing
   * @throws IllegalStateException when no agent is registered
   */
  CompletableFuture<GroupSnapshot> createGroupSnapshot(String id, List<MemberSelector> selectors,
      Duration freezeTimeout, Duration lease, Duration prepareTimeout, boolean allowMissing,
      TransactionDriver.Progress progress) throws Exception;

  /**
   * Starts a group snapshot of a named group: its members resolved now against the registered agents
   * ({@code GroupResolver}), its freeze timeout and lease unless given here. Everything that can fail before a freeze
   * (unknown group, a required member not registered, a selector matching nothing) fails the call, naming it, and
   * starts nothing. The record names the group and, for a backup run, the run.
   *
   * @param runId the backup run taking it, or null/empty
   * @throws io.groupsnap.coordinator.store.NotFoundException when there is no such group
   */
  default CompletableFuture<GroupSnapshot> createGroupSnapshotOfGroup(String id, String group, String runId,
      Duration freezeTimeout, Duration lease, Duration prepareTimeout, TransactionDriver.Progress progress)
      throws Exception {
    throw new UnsupportedOperationException("group snapshots of named groups are not wired yet");
  }

  /**
   * Forgets an agent the cluster knows (a retired host), so that group snapshots of every agent stop waiting for it.
   *
   * @return false when it was not known
   * @throws IllegalStateException while the agent is registered
   */
  boolean forgetAgent(String agentId) throws Exception;

  /**
   * Deletes a committed group snapshot's captures on every member, then its catalog entry. Idempotent: deleting a
   * deleted group snapshot answers with zero captures deleted. Returns once the deletion has begun; the future fails
   * with {@link IllegalStateException} when it is not committed, or when some captures could not be deleted (naming
   * each member and why; run it again to finish).
   *
   * @throws NotFoundException when there is no such group snapshot
   */
  CompletableFuture<DeleteGroupSnapshotResponse> deleteGroupSnapshot(String id) throws Exception;

  /**
   * Asks every member whether its capture of a committed group snapshot is still there and unchanged, and records
   * the findings (a missing or altered capture makes it DAMAGED); see {@link Scrubber}.
   */
  Scrubber.Result checkGroupSnapshot(String id, boolean checksum) throws Exception;

  /**
   * @throws NotFoundException when there is none
   * @throws io.groupsnap.coordinator.store.DamagedRecordException when its record cannot be decoded
   */
  GroupSnapshot getGroupSnapshot(String id) throws Exception;

  /** Group snapshots, and the records among them that cannot be decoded (quarantined), by id. */
  Listing<GroupSnapshot> listGroupSnapshots(boolean includeAll) throws Exception;

  /** Registered agents, and the registrations that cannot be decoded (quarantined), by id. */
  Listing<AgentRegistration> listAgents() throws Exception;

  /** Agents the cluster knows that are not registered now (and not yet forgotten). */
  List<KnownAgent> missingAgents() throws Exception;

  /** The cluster as this coordinator sees it: epoch, leader, coordinators, agents, damaged records. */
  ClusterStatusResponse clusterStatus() throws Exception;

  /**
   * The audit trail's newest entries at or after {@code sinceMillis}, at most {@code limit} (0: a page), oldest first,
   * with the entries among them that cannot be decoded apart.
   *
   * @param pageToken empty, or a previous answer's next_page_token (the entries before that answer)
   * @throws IllegalArgumentException for a negative limit or time, or a malformed token
   */
  ListAuditResponse listAudit(long sinceMillis, int limit, String pageToken) throws Exception;
}
