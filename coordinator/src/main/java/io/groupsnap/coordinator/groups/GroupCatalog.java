package io.groupsnap.coordinator.groups;

import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.GroupSpec;
import java.util.Optional;

/**
 * The named groups of the cluster ({@code groups/<name>} in ZooKeeper), as the parts that use them (group snapshots
 * of a group, backup runs, schedules, retention) read them. Written only by the leader through the group service.
 */
public interface GroupCatalog {
  /**
   * @return empty when there is no such group
   * @throws io.groupsnap.coordinator.store.DamagedRecordException when its record cannot be decoded
   */
  Optional<GroupSpec> find(String name) throws Exception;

  /** Every group that decodes, and the records that do not, by name. */
  Listing<GroupSpec> list() throws Exception;
}
