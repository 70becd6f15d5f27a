package io.groupsnap.coordinator.resolve;

import io.groupsnap.common.Durations;
import io.groupsnap.common.Printable;
import io.groupsnap.common.logging.LogContext;
import io.groupsnap.proto.v1.GroupSnapshot;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's {@link ResolutionListener}: logs what the resolver does, each line about one record inside that
 * transaction's {@link LogContext} (the resolver's lanes carry none). Stateless but for the interval it names.
 */
public final class ResolutionLog implements ResolutionListener {
  private static final Logger log = LoggerFactory.getLogger(Resolver.class);

  private final Duration resolveInterval;

  /** @param resolveInterval how often the leader's periodic pass runs, named when records are left unresolved */
  public ResolutionLog(Duration resolveInterval) {
    this.resolveInterval = resolveInterval;
  }

  @Override
  public void aborting(Pass pass, GroupSnapshot record) {
    try (LogContext ignored = LogContext.txn(record.getId(), record.getGroup())) {
      log.info("epoch {}: aborting transaction {} left {} by epoch {}", pass.epoch(), record.getId(),
          record.getState(), record.getEpoch());
    }
  }

  @Override
  public void finishingCommit(Pass pass, GroupSnapshot record) {
    try (LogContext ignored = LogContext.txn(record.getId(), record.getGroup())) {
      log.info("epoch {}: finishing the commit of {}", pass.epoch(), record.getId());
    }
  }

  @Override
  public void finalized(Pass pass, String id) {
    try (LogContext ignored = LogContext.txn(id, null)) {
      log.debug("epoch {}: every member confirmed the commit of {}; finalized", pass.epoch(), id);
    }
  }

  @Override
  public void finishingDeletion(Pass pass, GroupSnapshot record) {
    try (LogContext ignored = LogContext.txn(record.getId(), record.getGroup())) {
      log.debug("epoch {}: finishing the deletion of {}", pass.epoch(), record.getId());
    }
  }

  @Override
  public void deletionFinished(Pass pass, String id) {
    try (LogContext ignored = LogContext.txn(id, null)) {
      log.info("epoch {}: finished the deletion of {}", pass.epoch(), id);
    }
  }

  @Override
  public void couldNotResolve(Pass pass, String what, String id, Throwable why) {
    try (LogContext ignored = LogContext.txn(id, null)) {
      log.warn("epoch {}: could not {} {} now: {}", pass.epoch(), what, id,
          Printable.line(String.valueOf(why.getMessage() == null ? why : why.getMessage())));
    }
  }

  @Override
  public void unresolved(Pass pass, int records) {
    log.warn("epoch {}: {} record(s) left unresolved; retrying every {}", pass.epoch(), records,
        Durations.format(resolveInterval));
  }

  @Override
  public void attemptFailed(Pass pass, int attempt, int attempts, Throwable why) {
    log.warn("recovery at epoch {} failed (attempt {} of {}): {}", pass.epoch(), attempt, attempts, why.toString());
  }

  @Override
  public void gaveUp(Pass pass) {
    log.error("recovery at epoch {} kept failing; giving leadership back", pass.epoch());
  }

  @Override
  public void passFailed(Pass pass, Throwable why) {
    log.warn("epoch {}: could not resolve unfinished records: {}", pass.epoch(), why.toString());
  }
}
