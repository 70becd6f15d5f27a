package io.groupsnap.coordinator.audit;

import io.groupsnap.coordinator.groups.GroupCalls;
import io.groupsnap.coordinator.groups.GroupSpecs;
import io.groupsnap.coordinator.groups.GroupResolver;
import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.GroupView;
import java.util.stream.Collectors;

/**
 * The group service's calls with every mutating one audited through {@link AuditedCalls#call}: STARTED before it
 * acts (refused when that cannot be recorded), then its outcome. Reads pass through unaudited. Thread-safe.
 */
public final class AuditedGroupCalls implements GroupCalls {
  private final GroupCalls inner;
  private final AuditedCalls audited;

  public AuditedGroupCalls(GroupCalls inner, AuditedCalls audited) {
    this.inner = inner;
    this.audited = audited;
  }

  @Override
  public GroupSpec createGroup(GroupSpec spec) throws Exception {
    return audited.call("CreateGroup", arguments(spec), "", () -> inner.createGroup(spec), g -> "created");
  }

  @Override
  public GroupSpec updateGroup(GroupSpec spec) throws Exception {
    return audited.call("UpdateGroup", arguments(spec), "", () -> inner.updateGroup(spec), g -> "updated");
  }

  @Override
  public boolean deleteGroup(String name) throws Exception {
    return audited.call("DeleteGroup", AuditArguments.of().with("name", name), "", () -> inner.deleteGroup(name),
        deleted -> deleted ? "deleted" : "was not there");
  }

  @Override
  public GroupView getGroup(String name) throws Exception {
    return inner.getGroup(name);
  }

  @Override
  public Listing<GroupSpec> listGroups() throws Exception {
    return inner.listGroups();
  }

  private static AuditArguments arguments(GroupSpec g) {
    return AuditArguments.of().with("name", g.getName())
        .with("members", g.getMembersList().stream().map(m -> (m.getOptional() ? "?" : "") + GroupSpecs.member(m))
            .collect(Collectors.joining(",")))
        .with("selectors", g.getSelectorsList().stream().map(GroupResolver::describe)
            .collect(Collectors.joining(",")))
        .with("export_target", g.getExportTarget())
        .with("freeze_timeout_ms", g.getFreezeTimeoutMillis()).with("lease_ms", g.getLeaseMillis());
  }
}
