package io.groupsnap.coordinator.txn;

import java.util.ArrayDeque;
import java.util.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transaction's progress reports to its caller, held back while its freeze window is open (nothing avoidable runs
 * inside it) and delivered in order after. Reports go to a caller (a CLI's stream that may be gone): a failure to
 * deliver one is logged at debug and never touches the transaction. Touched on the serial lane only.
 */
final class HeldReports {
  private static final Logger log = LoggerFactory.getLogger(HeldReports.class);

  private final String txnId;
  private final Queue<Runnable> held = new ArrayDeque<>();

  HeldReports(String txnId) {
    this.txnId = txnId;
  }

  /** Queues {@code report}; delivers everything queued unless the window is open. */
  void report(boolean windowOpen, Runnable report) {
    held.add(report);
    if (!windowOpen) {
      flush();
    }
  }

  /** Delivers every report held back, in order. */
  void flush() {
    Runnable next;
    while ((next = held.poll()) != null) {
      try {
        next.run();
      } catch (RuntimeException e) {
        log.debug("txn {}: progress not delivered: {}", txnId, e.toString());
      }
    }
  }
}
