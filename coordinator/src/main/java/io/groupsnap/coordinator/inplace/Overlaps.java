package io.groupsnap.coordinator.inplace;

import io.groupsnap.coordinator.api.MemberGuard;
import io.groupsnap.proto.v1.InPlaceMember;
import io.groupsnap.proto.v1.InPlaceRestore;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What holds a set of agents now, for the one-operation-per-member rule (docs/protocol.md, "In-place restore"): an
 * undecided group snapshot transaction, a backup run that goes on, or an unsettled in-place restore. As a
 * {@link MemberGuard} (unsettled in-place restores only) it is what the transaction start and the run driver ask.
 * Reads ZooKeeper at every call; thread-safe.
 */
public final class Overlaps implements MemberGuard {
  /** The agents held by work other than in-place restores: undecided transactions and going backup runs. */
  @FunctionalInterface
  public interface OtherWork {
    /** One line per held agent set: "group snapshot gs-… (FREEZING)" → its agents. */
    List<Held> held() throws Exception;
  }

  /** Work that holds {@code agents}, described by {@code what} (naming it and its state). */
  public record Held(String what, Set<String> agents) {}

  private final InPlaceStore store;
  private final OtherWork others;

  public Overlaps(InPlaceStore store, OtherWork others) {
    this.store = store;
    this.others = others;
  }

  @Override
  public void requireFree(Collection<String> agentIds) throws Exception {
    Optional<String> r = restoreHolding(agentIds, "");
    if (r.isPresent()) {
      throw new IllegalStateException(r.get());
    }
  }

  /** Why {@code agentIds} cannot take an in-place restore now, if anything holds one of them. */
  Optional<String> anyHolding(Collection<String> agentIds, String exceptRestore) throws Exception {
    Optional<String> r = restoreHolding(agentIds, exceptRestore);
    if (r.isPresent()) {
      return r;
    }
    for (Held h : others.held()) {
      Set<String> common = intersection(h.agents(), agentIds);
      if (!common.isEmpty()) {
        return Optional.of(describe(common) + " taken by " + h.what() + ": retry once it has settled");
      }
    }
    return Optional.empty();
  }

  private Optional<String> restoreHolding(Collection<String> agentIds, String except) throws Exception {
    for (InPlaceRestore r : store.list().records()) {
      if (!InPlaceStates.unsettled(r.getState()) || r.getRestoreId().equals(except)) {
        continue;
      }
      Set<String> common = intersection(r.getMembersList().stream().map(InPlaceMember::getAgentId).toList(),
          agentIds);
      if (!common.isEmpty()) {
        return Optional.of(describe(common) + " under in-place restore " + r.getRestoreId() + " ("
            + InPlaceStates.label(r.getState()) + "): retry once it has settled");
      }
    }
    return Optional.empty();
  }

  private static Set<String> intersection(Collection<String> a, Collection<String> b) {
    Set<String> out = new TreeSet<>(a);
    out.retainAll(Set.copyOf(b));
    return out;
  }

  private static String describe(Set<String> agents) {
    return (agents.size() == 1 ? "agent " : "agents ") + String.join(", ", agents) + (agents.size() == 1 ? " is"
        : " are");
  }
}
