package io.groupsnap.coordinator.store;

import io.groupsnap.proto.v1.DamagedRecord;
import java.util.Comparator;
import java.util.List;

/**
 * The records of one ZooKeeper directory: those that decode, and those that cannot be used (quarantined, each with its
 * id and the reason). A damaged record never makes a listing fail. Immutable.
 *
 * @param records the records that decode and belong to their nodes
 * @param damaged the quarantined ones, by id
 */
public record Listing<T>(List<T> records, List<DamagedRecord> damaged) {
  public Listing {
    records = List.copyOf(records);
    damaged = damaged.stream().sorted(Comparator.comparing(DamagedRecord::getId)).toList();
  }

  /** The same listing with its records in {@code order}. */
  public Listing<T> sorted(Comparator<? super T> order) {
    return new Listing<>(records.stream().sorted(order).toList(), damaged);
  }
}
