package io.groupsnap.coordinator.inplace;

import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.Scheduler;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.VolumeTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One in-place restore this process drives, confined to the driver's lane: the record as last written and the
 * version it was written at (the next replacement is made at it), the term it is driven in, its timers. Once
 * {@link #stopped} nothing more is done or written for it here.
 */
final class ActiveRestore {
  final Leadership.Term term;
  final String clusterId;
  InPlaceRestore record;
  int version;
  boolean stopped;
  /** CONFIRM has been sent (the keep time passed or an operator confirmed): no rollback any more. */
  boolean confirming;
  /** While staging: each agent's volumes as asked (export fallbacks included); empty once adopted by a successor. */
  Map<String, List<VolumeTarget>> parts = Map.of();
  final List<Scheduler.Cancellable> timers = new ArrayList<>();

  ActiveRestore(Leadership.Term term, String clusterId, InPlaceRestore record, int version) {
    this.term = term;
    this.clusterId = clusterId;
    this.record = record;
    this.version = version;
  }

  String id() {
    return record.getRestoreId();
  }

  /** The member agents, sorted, once each. */
  Set<String> agents() {
    Set<String> out = new TreeSet<>();
    record.getMembersList().forEach(m -> out.add(m.getAgentId()));
    return out;
  }

  /** What every agent call of this restore carries: the term's epoch fences it. */
  InPlaceClient.Header header() {
    return new InPlaceClient.Header(clusterId, term.epoch(), record.getGroupSnapshotId(), record.getRestoreId());
  }
}
