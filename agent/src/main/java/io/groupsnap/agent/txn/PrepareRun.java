package io.groupsnap.agent.txn;

import io.groupsnap.agent.txn.Results.PrepareResult;
import io.groupsnap.agent.volume.FrozenFileSystems;
import io.groupsnap.agent.volume.Holding;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The work of one PREPARE once the transaction is admitted: checks every volume (confinement, a holder where its kind
 * needs one, the volume's own check, no capture onto a file system another volume freezes), lets writers prepare in
 * tier order, then records the pending captures and the journal entry. Freezes nothing; on any NO, what was prepared
 * is undone and nothing is left recorded.
 *
 * <p>Runs on the caller's thread under the transaction's monitor; no state of its own.
 */
final class PrepareRun {
  private final VolumeRoots roots;
  private final CaptureStore captures;
  private final RestartRecovery journal;

  PrepareRun(VolumeRoots roots, CaptureStore captures, RestartRecovery journal) {
    this.roots = roots;
    this.captures = captures;
    this.journal = journal;
  }

  PrepareResult run(LocalTxn txn) {
    Optional<PrepareResult> refused = checkVolumes(txn);
    if (refused.isPresent()) {
      return refused.get();
    }
    List<Writer> prepared = new ArrayList<>();
    for (Writer w : txn.writers) {
      WriterResult r = w.prepare(txn.context());
      if (!r.ok()) {
        prepared.forEach(p -> p.abort(txn.context()));
        return PrepareResult.no(r.outcome() == WriterResult.Outcome.RETRYABLE, "writer " + w.name() + ": "
            + r.reason());
      }
      prepared.add(w);
    }
    try {
      captures.recordPending(txn);
      journal.record(txn);
    } catch (IOException e) {
      prepared.forEach(p -> p.abort(txn.context()));
      captures.deletePending(txn.ref.txnId());
      return PrepareResult.no(true, "cannot record pending snapshot: " + e.getMessage());
    }
    return PrepareResult.yes(txn.volumes.stream().map(Volume::name).toList());
  }

  private Optional<PrepareResult> checkVolumes(LocalTxn txn) {
    String id = txn.ref.txnId();
    for (Volume v : txn.volumes) {
      Optional<String> outside = roots.outside(v);
      if (outside.isPresent()) {
        return Optional.of(PrepareResult.no(false, "volume " + v.name() + ": " + outside.get()));
      }
      String unheld = Holding.unheld(v, txn.writers.stream().map(Writer::volumes).toList());
      if (unheld != null) {
        return Optional.of(PrepareResult.no(false, "volume " + v.name() + ": " + unheld));
      }
      try {
        v.check(CaptureStore.target(v, id));
      } catch (VolumeException e) {
        return Optional.of(PrepareResult.no(e.retryable(), "volume " + v.name() + ": " + e.getMessage()));
      }
    }
    String blocked = FrozenFileSystems.conflict(txn.volumes, v -> CaptureStore.target(v, id));
    return blocked == null ? Optional.empty() : Optional.of(PrepareResult.no(false, blocked));
  }
}
