package io.groupsnap.coordinator.groups;

import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.GroupView;

/**
 * What the group service answers, whatever carries the request (the gRPC {@code GroupGrpcService} is one edge). The
 * mutating calls need the acting leader: elsewhere they fail with {@code NotLeaderException} naming the leader when one
 * is known. Reads are answered by every coordinator. Thread-safe.
 */
public interface GroupCalls {
  /**
   * Stores a new group ({@link GroupSpecs} rules); created/updated times are set here.
   *
   * @throws IllegalArgumentException naming the field that is wrong
   * @throws io.groupsnap.coordinator.api.AlreadyExistsException when the name is taken
   */
  GroupSpec createGroup(GroupSpec spec) throws Exception;

  /**
   * Replaces a group's spec (its creation time is kept).
   *
   * @throws io.groupsnap.coordinator.store.NotFoundException when there is no such group
   */
  GroupSpec updateGroup(GroupSpec spec) throws Exception;

  /**
   * A group and what it resolves to now against the registered agents.
   *
   * @throws io.groupsnap.coordinator.store.NotFoundException when there is no such group
   */
  GroupView getGroup(String name) throws Exception;

  /** Every group, by name, and the records that cannot be decoded apart. */
  Listing<GroupSpec> listGroups() throws Exception;

  /**
   * Removes a group.
   *
   * @return false when there was no such group
   * @throws IllegalStateException while a schedule names it or a run of it is not final
   */
  boolean deleteGroup(String name) throws Exception;
}
