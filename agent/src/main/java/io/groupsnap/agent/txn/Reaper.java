package io.groupsnap.agent.txn;

import io.groupsnap.agent.volume.Volume;
import io.groupsnap.common.logging.LogContext;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles this agent's captures with the coordinator's decisions (G3): a capture whose group snapshot is recorded
 * COMMITTED is kept (a COMMIT the agent missed); one recorded ABORTED or DELETED is deleted; one whose record does not
 * exist is deleted once older than the grace period (no transaction can commit without a record written before its
 * PREPARE); one whose transaction is still undecided is left to the leader, which aborts it. A transaction still in
 * progress on this agent is left alone unless its record says ABORTED: then the agent missed the ABORT (a prepared
 * transaction would otherwise wait forever for a FREEZE), and the reaper aborts it here. Captures a volume
 * finds on its storage that the catalog does not know (half-written {@code .partial} captures after a crash) are
 * deleted once older than the grace period. Run periodically and once after a restart; not thread-safe (one reaper thread).
 */
public final class Reaper {
  private static final Logger log = LoggerFactory.getLogger(Reaper.class);

  /** What the coordinator's record says of a group snapshot. */
  public enum Decision { COMMITTED, ABORTED, DELETED, UNDECIDED, NO_RECORD }

  /** Reads decisions (from ZooKeeper, in an agent). */
  @FunctionalInterface
  public interface Decisions {
    Decision of(String groupSnapshotId) throws Exception;
  }

  /**
   * What one pass did.
   *
   * @param kept group snapshots whose captures were marked kept
   * @param reaped group snapshots whose captures were deleted
   * @param strays unknown directories deleted
   */
  public record Pass(List<String> kept, List<String> reaped, List<Path> strays) {}

  private final Participant participant;
  private final Decisions decisions;
  private final List<Volume> volumes;
  private final Duration grace;
  private final Clock clock;

  public Reaper(Participant participant, Decisions decisions, List<Volume> volumes, Duration grace, Clock clock) {
    this.participant = participant;
    this.decisions = decisions;
    this.volumes = List.copyOf(volumes);
    this.grace = grace;
    this.clock = clock;
  }

  /** One reconciliation pass; a failure on one group snapshot does not stop the others. */
  public Pass runOnce() throws IOException {
    List<String> kept = new ArrayList<>();
    List<String> reaped = new ArrayList<>();
    Set<String> known = new HashSet<>();
    Set<String> ids = new LinkedHashSet<>();
    List<LocalSnapshot> all = participant.snapshots("");
    for (LocalSnapshot s : all) {
      ids.add(s.getGroupSnapshotId());
      known.add(Path.of(s.getPath()).toAbsolutePath().normalize().toString());
    }
    for (String id : ids) {
      List<LocalSnapshot> captures = all.stream().filter(s -> s.getGroupSnapshotId().equals(id)).toList();
      try (LogContext ignored = LogContext.txn(id)) {
        Decision decision = decisions.of(id);
        if (participant.isActive(id)) {
          // in progress here: only a recorded abort ends it (its ABORT was lost); anything else is the leader's
          if (decision == Decision.ABORTED) {
            participant.abortDecided(id);
            reaped.add(id);
          }
          continue;
        }
        switch (decision) {
          case COMMITTED -> {
            if (captures.stream().anyMatch(s -> s.getState() != LocalSnapshotState.LOCAL_KEPT)) {
              participant.keep(id);
              kept.add(id);
            }
          }
          case ABORTED, DELETED -> {
            participant.reap(id);
            reaped.add(id);
          }
          case NO_RECORD -> {
            if (olderThanGrace(captures)) {
              participant.reap(id);
              reaped.add(id);
            }
          }
          case UNDECIDED -> { } // the leader resolves it
        }
      } catch (Exception e) {
        log.warn("reaper: could not reconcile {}: {}", id, e.toString());
      }
    }
    List<Path> strays = deleteStrays(known);
    participant.pruneJournal();
    if (!kept.isEmpty() || !reaped.isEmpty() || !strays.isEmpty()) {
      log.info("reaper: kept {}, deleted captures of {}, removed {} stray director(ies)", kept, reaped,
          strays.size());
    }
    return new Pass(kept, reaped, strays);
  }

  private boolean olderThanGrace(List<LocalSnapshot> captures) {
    long created = captures.stream().mapToLong(LocalSnapshot::getCreatedAtMillis).max().orElse(0);
    return clock.millis() - created > grace.toMillis();
  }

  private List<Path> deleteStrays(Set<String> known) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Volume v : volumes) {
      List<Volume.Found> found;
      try {
        found = v.listCaptures();
      } catch (IOException e) {
        log.warn("reaper: cannot list captures of volume {}: {}", v.name(), e.getMessage());
        continue;
      }
      for (Volume.Found f : found) {
        Path abs = f.location().toAbsolutePath().normalize();
        if (known.contains(abs.toString()) || participant.isActive(f.groupSnapshotId()) || !v.owns(abs)) {
          continue;
        }
        if (clock.millis() - f.modifiedMillis() > grace.toMillis()) {
          v.delete(abs);
          out.add(abs);
        }
      }
    }
    return out;
  }
}
