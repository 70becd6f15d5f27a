package io.groupsnap.agent.txn;

import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import io.groupsnap.proto.v1.JournalEntry;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a restarted agent needs to thaw, and the thawing: the {@link TxnJournal} entry written at PREPARE (outside the
 * freeze window) names the writers and volumes a transaction may freeze, and is removed once its hold is over. After
 * a restart every entry is thawed, writers in reverse tier order after the volumes, and forgotten; those holds count
 * as broken, and their captures wait for the reaper.
 *
 * <p>No lock of its own: the journal serializes its writes.
 */
final class RestartRecovery {
  private static final Logger log = LoggerFactory.getLogger(RestartRecovery.class);

  private final TxnJournal journal;
  private final Collection<Volume> volumes;
  private final List<Writer> writers;
  private final Clock clock;

  /** @param writers by tier */
  RestartRecovery(TxnJournal journal, Collection<Volume> volumes, List<Writer> writers, Clock clock) {
    this.journal = journal;
    this.volumes = volumes;
    this.writers = writers;
    this.clock = clock;
  }

  /** Before anything is frozen: names what the transaction may freeze. */
  void record(LocalTxn txn) throws IOException {
    journal.put(JournalEntry.newBuilder().setTxnId(txn.ref.txnId()).setEpoch(txn.ref.epoch())
        .addAllWriters(txn.writers.stream().map(Writer::name).toList())
        .addAllVolumes(txn.volumes.stream().map(Volume::name).toList())
        .setPreparedAtMillis(clock.millis()).build());
  }

  /** The hold is over: the entry goes. A failure here only means a harmless extra thaw after a restart. */
  void forget(LocalTxn txn) {
    try {
      journal.remove(txn.ref.txnId());
    } catch (IOException e) {
      log.warn("could not remove journal entry of {}: {}", txn.ref.txnId(), e.getMessage());
    }
  }

  /** Removes the entries of transactions {@code over} says hold nothing any more. */
  void prune(Predicate<String> over) throws IOException {
    for (JournalEntry e : journal.entries()) {
      if (over.test(e.getTxnId())) {
        journal.remove(e.getTxnId());
      }
    }
  }

  /** Thaws every writer and volume of every entry and forgets the entries; returns their transaction ids. */
  List<String> recover() throws IOException {
    List<String> recovered = new ArrayList<>();
    for (JournalEntry e : journal.entries()) {
      Writer.TxnContext ctx = new Writer.TxnContext(e.getTxnId(), e.getEpoch(),
          new LinkedHashSet<>(e.getVolumesList()));
      List<Writer> held = writers.stream().filter(w -> e.getWritersList().contains(w.name())).toList();
      for (Volume v : volumes) {
        if (e.getVolumesList().contains(v.name())) {
          try {
            v.thawAfterRestart();
          } catch (VolumeException ex) {
            log.error("restart: could not thaw volume {} of {}: {}", v.name(), e.getTxnId(), ex.getMessage());
          }
        }
      }
      for (int i = held.size() - 1; i >= 0; i--) {
        WriterResult r = held.get(i).thaw(ctx);
        if (!r.ok()) {
          log.warn("restart: thaw of writer {} for {}: {}", held.get(i).name(), e.getTxnId(), r.reason());
        }
      }
      journal.remove(e.getTxnId());
      recovered.add(e.getTxnId());
      log.warn("restart: thawed everything transaction {} may have held; its hold counts as broken",
          e.getTxnId());
    }
    return recovered;
  }
}
