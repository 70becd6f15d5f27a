package io.groupsnap.coordinator.groups;

import io.groupsnap.common.Formats;
import io.groupsnap.common.Names;
import io.groupsnap.coordinator.api.AlreadyExistsException;
import io.groupsnap.coordinator.api.NotLeaderException;
import io.groupsnap.coordinator.store.ClusterStore;
import io.groupsnap.coordinator.store.FencedRecords;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.coordinator.store.NotFoundException;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.GroupView;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.apache.zookeeper.KeeperException;

/**
 * The named groups as a coordinator serves them ({@link GroupCalls}): checked ({@link GroupSpecs}) and written by the
 * acting leader under its term's fence ({@link GroupStore}), read and resolved ({@link GroupResolver}) by any
 * coordinator. Knows nothing of gRPC or of auditing. Thread-safe.
 */
public final class Groups implements GroupCalls {
  /** The acting leader's fence, or the refusal a standby gives. */
  @FunctionalInterface
  public interface LeaderFence {
    ClusterStore.Fence require() throws NotLeaderException;
  }

  /** The agents registered now (those whose registration decodes). */
  @FunctionalInterface
  public interface Registered {
    List<AgentRegistration> agents() throws Exception;
  }

  private final GroupStore store;
  private final GroupUsage usage;
  private final LeaderFence leader;
  private final Registered registered;
  private final Clock clock;

  public Groups(GroupStore store, GroupUsage usage, LeaderFence leader, Registered registered, Clock clock) {
    this.store = store;
    this.usage = usage;
    this.leader = leader;
    this.registered = registered;
    this.clock = clock;
  }

  public GroupCatalog catalog() {
    return store;
  }

  @Override
  public GroupSpec createGroup(GroupSpec spec) throws Exception {
    ClusterStore.Fence f = leader.require();
    long now = clock.millis();
    GroupSpec g = GroupSpecs.validate(spec.toBuilder().setCreatedAtMillis(now).setUpdatedAtMillis(now)
        .setFormatVersion(Formats.CURRENT).build());
    if (store.lookup(g.getName()).isPresent()) {
      throw taken(g.getName());
    }
    try {
      store.create(g, f);
    } catch (KeeperException.NodeExistsException e) {
      throw taken(g.getName());
    }
    return g;
  }

  @Override
  public GroupSpec updateGroup(GroupSpec spec) throws Exception {
    ClusterStore.Fence f = leader.require();
    Names.require("name", spec.getName());
    Optional<FencedRecords.Found<GroupSpec>> found = store.lookup(spec.getName());
    if (found.isEmpty()) {
      throw new NotFoundException("no group '" + spec.getName() + "'");
    }
    FencedRecords.Found<GroupSpec> old = found.get();
    long now = clock.millis();
    long created = old.record() != null && old.record().getCreatedAtMillis() > 0 ? old.record().getCreatedAtMillis()
        : now; // a quarantined record is replaced whole
    GroupSpec g = GroupSpecs.validate(spec.toBuilder().setCreatedAtMillis(created).setUpdatedAtMillis(now)
        .setFormatVersion(Formats.CURRENT).build());
    store.replace(g, old.version(), f);
    return g;
  }

  @Override
  public GroupView getGroup(String name) throws Exception {
    GroupSpec g = require(name);
    GroupResolver.Resolution r = GroupResolver.resolve(g, registered.agents());
    GroupView.Builder v = GroupView.newBuilder().setGroup(g).addAllMembers(r.members()).addAllProblems(r.problems());
    if (r.problems().isEmpty() && r.members().isEmpty()) {
      v.addProblems(r.describeProblems());
    }
    return v.build();
  }

  /** The group, or NotFoundException naming it (DamagedRecordException when its record is quarantined). */
  public GroupSpec require(String name) throws Exception {
    Names.require("group", name);
    return store.find(name).orElseThrow(() -> new NotFoundException("no group '" + name + "'"));
  }

  @Override
  public Listing<GroupSpec> listGroups() throws Exception {
    return store.list();
  }

  @Override
  public boolean deleteGroup(String name) throws Exception {
    ClusterStore.Fence f = leader.require();
    Names.require("name", name);
    if (store.lookup(name).isEmpty()) {
      return false;
    }
    Optional<String> blocker = usage.blocker(name);
    if (blocker.isPresent()) {
      throw new IllegalStateException(blocker.get());
    }
    return store.delete(name, f);
  }

  private static AlreadyExistsException taken(String name) {
    return new AlreadyExistsException("group " + name + " exists already");
  }
}
