package io.groupsnap.agent.txn;

/**
 * Which transaction a coordinator request belongs to, and under which leadership.
 *
 * @param clusterId the cluster's UUID
 * @param epoch the sending leader's epoch (fencing token)
 * @param txnId the transaction, also the group snapshot id
 */
public record TxnRef(String clusterId, long epoch, String txnId) {}
