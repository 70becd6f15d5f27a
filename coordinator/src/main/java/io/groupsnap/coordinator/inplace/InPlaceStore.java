package io.groupsnap.coordinator.inplace;

import io.groupsnap.common.ZkLayout;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.FencedRecords;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.RecordKind;
import java.util.Comparator;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;

/**
 * The in-place restore records, {@code restores/<id>} (an {@link InPlaceRestore} each). Reads answer on any
 * coordinator (and agents read them at restart); writes are the leader's, each one multi-op fenced by its term like a
 * transaction record (the writer's latch node and the epoch znode's version are checked), and a replacement is made
 * at the version read, so a deposed leader's late write fails and a successor's wins. A record that does not decode,
 * decodes to another id or no state, or is of a newer format is quarantined ({@code RECORD_IN_PLACE_RESTORE}),
 * listed apart and never acted on. Thread-safe.
 */
public final class InPlaceStore {
  private static final Comparator<InPlaceRestore> OLDEST_FIRST =
      Comparator.comparingLong(InPlaceRestore::getCreatedAtMillis).thenComparing(InPlaceRestore::getRestoreId);

  private final FencedRecords<InPlaceRestore> records;

  public InPlaceStore(CuratorFramework zk, ZkLayout layout) {
    this.records = new FencedRecords<>(zk, layout, layout.restores(), RecordKind.RECORD_IN_PLACE_RESTORE,
        "InPlaceRestore", InPlaceRestore.parser(), InPlaceStore::problem);
  }

  /** The record {@code id} with its version, or its quarantine; empty when there is none. */
  public Optional<FencedRecords.Found<InPlaceRestore>> find(String id) throws Exception {
    return records.find(id);
  }

  /** Every record that decodes (oldest first), and those quarantined. */
  public Listing<InPlaceRestore> list() throws Exception {
    return records.list().sorted(OLDEST_FIRST);
  }

  /** Creates a new record; NodeExistsException when the id is taken, FencedWriteException when deposed. */
  public void create(InPlaceRestore r, ClusterStore.Fence f) throws Exception {
    records.create(r.getRestoreId(), r, f);
  }

  /** Replaces a record at {@code version}; FencedWriteException when deposed or written in between. */
  public void replace(InPlaceRestore r, int version, ClusterStore.Fence f) throws Exception {
    records.replace(r.getRestoreId(), r, version, f);
  }

  private static String problem(InPlaceRestore r, String name) {
    if (!r.getRestoreId().equals(name)) {
      return r.getRestoreId().isEmpty() ? "decodes to a record without an id" : "decodes to the record of another id";
    }
    if (r.getState() == InPlaceState.IN_PLACE_STATE_UNSPECIFIED) {
      return "decodes to a record without a state";
    }
    return null;
  }
}
