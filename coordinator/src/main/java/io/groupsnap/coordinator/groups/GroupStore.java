package io.groupsnap.coordinator.groups;

import io.groupsnap.common.ZkLayout;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.FencedRecords;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.RecordKind;
import java.util.Comparator;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;

/**
 * The named groups in ZooKeeper ({@code groups/<name>}, a {@link GroupSpec} each): the {@link GroupCatalog} every
 * coordinator reads, and the writes only the leader makes, each fenced by its term like transaction records. A record
 * that does not decode, or decodes to another group's name, is quarantined: listed apart as RECORD_GROUP, never
 * failing a listing; {@link #find} of that very group fails with {@code DamagedRecordException}. Thread-safe.
 */
public final class GroupStore implements GroupCatalog {
  private final FencedRecords<GroupSpec> records;

  public GroupStore(CuratorFramework zk, ZkLayout layout) {
    this.records = new FencedRecords<>(zk, layout, layout.groups(), RecordKind.RECORD_GROUP, "GroupSpec",
        GroupSpec.parser(), GroupStore::problem);
  }

  @Override
  public Optional<GroupSpec> find(String name) throws Exception {
    Optional<FencedRecords.Found<GroupSpec>> found = records.find(name);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get().orThrow());
  }

  /** The node of {@code name}, decoded or quarantined, with its version; empty when there is none. */
  public Optional<FencedRecords.Found<GroupSpec>> lookup(String name) throws Exception {
    return records.find(name);
  }

  @Override
  public Listing<GroupSpec> list() throws Exception {
    return records.list().sorted(Comparator.comparing(GroupSpec::getName));
  }

  /**
   * Stores a new group.
   *
   * @throws org.apache.zookeeper.KeeperException.NodeExistsException when the name is taken
   * @throws io.groupsnap.coordinator.store.FencedWriteException when the fence refuses it
   */
  public void create(GroupSpec g, ClusterStore.Fence f) throws Exception {
    records.create(g.getName(), g, f);
  }

  /** Replaces a group at the version read; a write in between, or a deletion, makes it fail. */
  public void replace(GroupSpec g, int version, ClusterStore.Fence f) throws Exception {
    records.replace(g.getName(), g, version, f);
  }

  /** Removes a group (a quarantined record too); false when there was none. */
  public boolean delete(String name, ClusterStore.Fence f) throws Exception {
    return records.delete(name, f);
  }

  private static String problem(GroupSpec g, String name) {
    if (!g.getName().equals(name)) {
      return g.getName().isEmpty() ? "decodes to a group without a name" : "decodes to the group of another name";
    }
    if (g.getMembersCount() == 0 && g.getSelectorsCount() == 0) {
      return "decodes to a group without members or selectors";
    }
    return null;
  }
}
