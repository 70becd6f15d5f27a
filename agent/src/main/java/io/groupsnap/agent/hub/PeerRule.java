package io.groupsnap.agent.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which local processes may subscribe to the writer hub as one application: a peer is admitted when its uid is one of
 * {@code uids} or its group one of {@code gids}, and, when {@code executable} is set, the program it runs
 * ({@code /proc/<pid>/exe}, links resolved) is that file. Checked against the peer's {@code SO_PEERCRED} credentials
 * (see {@link Peer}), so only over the hub's Unix domain socket; the loopback TCP fallback has no peer credentials and
 * relies on its token alone. Immutable.
 *
 * @param uids admitted user ids
 * @param gids admitted (effective, primary) group ids
 * @param executable the program the peer must run; empty: any
 * @param field where the operator changes the rule, for messages ({@code options.peer of writer orders})
 */
public record PeerRule(Set<Integer> uids, Set<Integer> gids, Optional<Path> executable, String field) {
  public PeerRule {
    uids = Set.copyOf(uids);
    gids = Set.copyOf(gids);
  }

  /** The default: only processes running as the agent's own user (root, for an agent that may freeze). */
  public static PeerRule agentUserOnly(String field) {
    return new PeerRule(Set.of(LocalAccounts.agentUid()), Set.of(), Optional.empty(), field);
  }

  /**
   * Why {@code peer} may not subscribe, in words for the refusal; empty when it may. Reads {@code /proc/<pid>/exe}
   * when an executable is required.
   */
  public Optional<String> refusal(Peer peer) {
    if (!uids.contains(peer.uid()) && !gids.contains(peer.gid())) {
      return Optional.of("its uid and gid are not admitted (admitted: " + admitted() + ")");
    }
    if (executable.isEmpty()) {
      return Optional.empty();
    }
    Path running;
    try {
      running = Files.readSymbolicLink(Path.of("/proc", Long.toString(peer.pid()), "exe"));
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.of("its executable cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    Path wanted;
    try {
      wanted = executable.get().toRealPath();
    } catch (IOException e) {
      return Optional.of("the admitted executable " + executable.get() + " does not exist");
    }
    return running.equals(wanted) ? Optional.empty()
        : Optional.of("it runs " + running + ", not the admitted executable " + wanted);
  }

  /** The admitted ids as the operator reads them: {@code uids [0, 1001], gids [1001]}. */
  String admitted() {
    StringBuilder b = new StringBuilder();
    if (!uids.isEmpty()) {
      b.append("uids ").append(new TreeSet<>(uids));
    }
    if (!gids.isEmpty()) {
      b.append(b.length() > 0 ? ", " : "").append("gids ").append(new TreeSet<>(gids));
    }
    return b.length() == 0 ? "none" : b.toString();
  }
}
