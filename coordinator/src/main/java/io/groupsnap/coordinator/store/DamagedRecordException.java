package io.groupsnap.coordinator.store;

import io.groupsnap.proto.v1.DamagedRecord;

/**
 * The one record a call needs is quarantined ({@link DamagedRecord}): it cannot be decoded, or it is not the record
 * its node names. Nothing was written. The message is one line naming the node and the reason.
 */
public final class DamagedRecordException extends Exception {
  private final transient DamagedRecord damage;

  public DamagedRecordException(DamagedRecord damage) {
    super("record " + damage.getPath() + " cannot be used: it " + damage.getReason() + "; it is quarantined "
        + "(listed as damaged, skipped by recovery)");
    this.damage = damage;
  }

  public DamagedRecord damage() {
    return damage;
  }
}
