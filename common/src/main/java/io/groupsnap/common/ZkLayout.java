package io.groupsnap.common;

import java.util.List;

/**
 * Where a cluster keeps its state in ZooKeeper (DESIGN.md §5). Every payload is protobuf-encoded.
 *
 * <pre>
 * /groupsnap/&lt;cluster&gt;/
 *   cluster            ClusterRecord (clusterId, made once)
 *   leader/            LeaderLatch of the coordinators
 *   epoch              EpochRecord, the fencing counter
 *   agents/&lt;agentId&gt;   AgentRegistration, ephemeral
 *   txns/&lt;txnId&gt;       GroupSnapshot, the transaction record
 *   snapshots/&lt;id&gt;     GroupSnapshot, the committed manifest
 *   known/&lt;agentId&gt;    KnownAgent, persistent: agents a leader has seen registered
 *   audit/e-&lt;seq&gt;      AuditEntry, persistent sequential: the audit trail, pruned by age and count
 * </pre>
 *
 * <p>The base and every directory above are persistent nodes, never containers ({@link ZkNodes}): ZooKeeper deletes
 * an empty container by itself, and the cluster relies on these directories existing while they are empty.
 */
public final class ZkLayout {
  public static final String ROOT = "/groupsnap";
  private final String base;

  /** @throws IllegalArgumentException when the cluster name is not a valid name */
  public ZkLayout(String clusterName) {
    this.base = ROOT + "/" + Names.require("cluster name", clusterName);
  }

  public String base() {
    return base;
  }

  public String cluster() {
    return base + "/cluster";
  }

  public String leader() {
    return base + "/leader";
  }

  public String epoch() {
    return base + "/epoch";
  }

  public String agents() {
    return base + "/agents";
  }

  public String agent(String agentId) {
    return agents() + "/" + agentId;
  }

  public String txns() {
    return base + "/txns";
  }

  public String txn(String txnId) {
    return txns() + "/" + txnId;
  }

  public String snapshots() {
    return base + "/snapshots";
  }

  public String snapshot(String id) {
    return snapshots() + "/" + id;
  }

  /** The directory nodes, each persistent, that the cluster relies on existing even while empty. */
  public List<String> directories() {
    return List.of(agents(), txns(), snapshots(), leader(), known(), audit(), groups(), runs(), schedules(),
        restores());
  }

  public String known() {
    return base + "/known";
  }

  public String known(String agentId) {
    return known() + "/" + agentId;
  }

  /** Named groups: {@code groups/<name>}, a GroupSpec each. */
  public String groups() {
    return base + "/groups";
  }

  public String group(String name) {
    return groups() + "/" + name;
  }

  /** Backup runs: {@code runs/<id>}, a BackupRun each. */
  public String runs() {
    return base + "/runs";
  }

  public String run(String id) {
    return runs() + "/" + id;
  }

  /** In-place restores: {@code restores/<id>}, an InPlaceRestore each, written fenced by epoch. */
  public String restores() {
    return base + "/restores";
  }

  public String restore(String id) {
    return restores() + "/" + id;
  }

  /** Schedules: {@code schedules/<group>}, a Schedule each (one per group). */
  public String schedules() {
    return base + "/schedules";
  }

  public String schedule(String group) {
    return schedules() + "/" + group;
  }

  /** The audit trail's directory: one persistent sequential node per entry. */
  public String audit() {
    return base + "/audit";
  }

  /** The path a new audit entry is created at; ZooKeeper appends a ten-digit sequence number to it. */
  public String auditEntryPrefix() {
    return audit() + "/" + AUDIT_ENTRY_PREFIX;
  }

  /** The node name of an audit entry: this prefix, then its sequence number. */
  public static final String AUDIT_ENTRY_PREFIX = "e-";
}
