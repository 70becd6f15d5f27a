package io.groupsnap.agent.restore;

import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops and starts this agent's writers around an in-place restore, keeping the writer's promise that every
 * {@link Writer#preRestore} is followed by exactly one {@link Writer#postRestore}: each writer is written into the
 * journal before it is asked to stop, and taken out only after it was started again, so that neither a refusal nor a
 * crash in between leaves an application stopped. Writers are stopped in ascending tier order (applications before
 * file systems, as for a freeze) and started in reverse. A writer concerns the restore when it writes to one of its
 * volumes (or to every volume). Not thread-safe: {@link InPlaceRestores} serialises its calls.
 */
final class InPlaceWriters {
  private static final Logger log = LoggerFactory.getLogger(InPlaceWriters.class);

  /** Saves the journal entry after a change. */
  @FunctionalInterface
  interface Save {
    void save(InPlaceJournal.Entry e) throws IOException;
  }

  private final String agentId;
  private final List<Writer> writers;

  InPlaceWriters(String agentId, List<Writer> writers) {
    this.agentId = agentId;
    this.writers = writers.stream().sorted(Comparator.comparingInt(Writer::tier)).toList();
  }

  /**
   * Asks each concerned writer not asked yet to stop. On a refusal, every writer asked (the refusing one too) is
   * started again with {@code restored=false}, and the refusal is returned.
   *
   * @return null when every writer stopped, else one line naming the writer that refused and why
   */
  String stop(InPlaceJournal.Entry e, long epoch, Save save) throws IOException {
    for (Writer w : writers) {
      Set<String> mine = concerned(w, e);
      if (mine.isEmpty() || e.stopped.contains(w.name())) {
        continue;
      }
      e.stopped.add(w.name());
      save.save(e); // before it is asked: a crash during preRestore still leads to its postRestore
      WriterResult r;
      try {
        r = w.preRestore(new Writer.RestoreContext(e.restoreId, e.groupSnapshotId, epoch, mine));
      } catch (RuntimeException ex) {
        r = WriterResult.nonRetryable(ex.toString());
      }
      if (!r.ok()) {
        String why = "writer " + w.name() + " (" + w.kind() + ") on agent " + agentId + " refused to stop for "
            + "in-place restore " + e.restoreId + ": " + oneLine(r.reason());
        log.warn("agent {}: {}; starting the writers stopped so far again", agentId, why);
        start(e, epoch, false, save);
        return why;
      }
      log.info("agent {}: writer {} stopped for in-place restore {}", agentId, w.name(), e.restoreId);
    }
    e.stopComplete = true;
    save.save(e);
    return null;
  }

  /**
   * Starts every writer asked to stop and not started yet, in reverse order, with {@code restored}; each is taken out
   * of the journal once started. A writer that answers other than OK is still started (its postRestore was called).
   *
   * @return the writers that did not answer OK and why, one line; empty when all did
   */
  String start(InPlaceJournal.Entry e, long epoch, boolean restored, Save save) throws IOException {
    List<String> complaints = new ArrayList<>();
    while (!e.stopped.isEmpty()) {
      String name = e.stopped.get(e.stopped.size() - 1);
      Writer w = writers.stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
      if (w == null) {
        log.warn("agent {}: writer {} was stopped for in-place restore {} but is no longer configured; it cannot be "
            + "started again from here", agentId, name, e.restoreId);
        complaints.add("writer " + name + " is no longer configured");
      } else {
        WriterResult r;
        try {
          r = w.postRestore(new Writer.RestoreContext(e.restoreId, e.groupSnapshotId, epoch, concerned(w, e)),
              restored);
        } catch (RuntimeException ex) {
          r = WriterResult.nonRetryable(ex.toString());
        }
        if (r.ok()) {
          log.info("agent {}: writer {} started again after in-place restore {} (restored: {})", agentId, name,
              e.restoreId, restored);
        } else {
          log.warn("agent {}: writer {} did not start cleanly after in-place restore {}: {}", agentId, name,
              e.restoreId, r.reason());
          complaints.add("writer " + name + ": " + oneLine(r.reason()));
        }
      }
      e.stopped.remove(e.stopped.size() - 1);
      e.stopComplete = false;
      save.save(e);
    }
    e.stopComplete = false;
    return String.join("; ", complaints);
  }

  /** The restore's volumes this writer writes to; empty when it writes to none of them. */
  private static Set<String> concerned(Writer w, InPlaceJournal.Entry e) {
    if (w.volumes().isEmpty()) {
      return Set.copyOf(e.volumes.keySet());
    }
    Set<String> mine = new HashSet<>(w.volumes());
    mine.retainAll(e.volumes.keySet());
    return Set.copyOf(mine);
  }

  private static String oneLine(String s) {
    return s == null || s.isBlank() ? "no reason given" : s.replace('\n', ' ').strip();
  }
}
