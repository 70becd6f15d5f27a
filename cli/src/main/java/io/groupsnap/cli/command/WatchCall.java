package io.groupsnap.cli.command;

import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.output.Views;
import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.Durations;
import io.groupsnap.common.GroupSnapshotIds;
import io.groupsnap.proto.v1.GetGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One {@code snapshot watch}: follows a group snapshot's record until it is final, printing each change.
 *
 * <p>It polls {@code GetGroupSnapshot} every {@link #POLL}, which any coordinator answers from the record in
 * ZooKeeper: the creating shell's progress stream exists only on the leader that runs the transaction, while the
 * record is what every coordinator (and the next leader) sees. The record is written when the group snapshot starts,
 * at the commit point and when it ends (never inside the freeze window), so those are the changes a watch shows.
 *
 * <ul>
 *   <li>A coordinator that stops answering is left for the leader found through ZooKeeper or another coordinator
 *       heard of ({@link Connection#relocate}); with none answering for {@code outcomeWait}, it fails (exit 1).
 *   <li>A well-formed id not found yet (a create just sent, or queued behind another) is looked for again for up to
 *       {@link #APPEAR}; then, or at once for any other id, it is bad input (exit 2).
 *   <li>A record still not final after {@code timeout} fails (exit 1), naming its state.
 * </ul>
 *
 * Not thread-safe; used once, by one command.
 */
final class WatchCall {
  static final Duration POLL = Duration.ofMillis(200);
  static final Duration APPEAR = Duration.ofSeconds(10);

  /** Waits between polls; false when interrupted. */
  @FunctionalInterface
  interface Pause {
    boolean pause(Duration d);
  }

  private final Connection c;
  private final Printer printer;
  private final PrintWriter err;
  private final Duration timeout;
  private final Duration outcomeWait;
  private final LongSupplier nanos;
  private final Pause pause;

  WatchCall(Connection c, Printer printer, PrintWriter err, Duration timeout, Duration outcomeWait) {
    this(c, printer, err, timeout, outcomeWait, System::nanoTime, WatchCall::sleep);
  }

  WatchCall(Connection c, Printer printer, PrintWriter err, Duration timeout, Duration outcomeWait,
      LongSupplier nanos, Pause pause) {
    this.c = c;
    this.printer = printer;
    this.err = err;
    this.timeout = timeout;
    this.outcomeWait = outcomeWait;
    this.nanos = nanos;
    this.pause = pause;
  }

  /** Follows {@code id} to its final record, which it prints and returns. */
  GroupSnapshot run(String id) throws CliException {
    c.learnCoordinators(); // so a failover can be followed without ZooKeeper too
    GetGroupSnapshotRequest get = GetGroupSnapshotRequest.newBuilder().setId(id).build();
    long start = nanos.getAsLong();
    long answered = start; // when a coordinator last answered
    boolean everAnswered = false;
    boolean toldLost = false;
    boolean toldWaiting = false;
    GroupSnapshot last = null;
    while (true) {
      try {
        GroupSnapshot g = c.stub(Connection.CALL_DEADLINE).getGroupSnapshot(get);
        answered = nanos.getAsLong();
        everAnswered = true;
        toldLost = false;
        if (CreateCall.isFinal(g)) {
          if (printer.json()) {
            printer.jsonLine(Views.groupSnapshot(g));
          } else {
            printer.groupSnapshot(g);
          }
          return g;
        }
        if (!g.equals(last)) {
          printer.change(last, g);
          last = g;
        }
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        long now = nanos.getAsLong();
        if (code == Status.Code.NOT_FOUND) {
          if (last != null) {
            throw new CliException(ExitCodes.FAILED, "the record of " + id + " is gone (it was " + last.getState()
                + "); check with 'groupsnap snapshot list --all'");
          }
          Duration grace = APPEAR.compareTo(timeout) < 0 ? APPEAR : timeout;
          if (!GroupSnapshotIds.isWellFormed(id) || now - start >= grace.toNanos()) {
            throw c.failure(e);
          }
          if (!toldWaiting) {
            toldWaiting = true;
            tell("no group snapshot " + id + " yet; waiting up to " + Durations.format(grace) + " for it to appear");
          }
          answered = now;
        } else if (CreateCall.LOST.contains(code)) {
          if (!everAnswered && !c.canRelocate()) {
            throw c.failure(e); // nothing answered and nowhere else to look
          }
          if (now - answered >= outcomeWait.toNanos()) {
            throw new CliException(ExitCodes.FAILED, "no coordinator answered about " + id + " within "
                + Durations.format(outcomeWait) + " (last tried " + c.endpoint() + ": " + code + ")"
                + (last == null ? "" : "; it was " + last.getState()));
          }
          if (!toldLost) {
            toldLost = true;
            tell("coordinator " + c.endpoint() + " did not answer (" + code + "); looking for another for up to "
                + Durations.format(outcomeWait));
          }
          c.relocate();
        } else {
          throw c.failure(e);
        }
      }
      if (nanos.getAsLong() - start >= timeout.toNanos()) {
        throw new CliException(ExitCodes.FAILED, id + " is still " + (last == null ? "not known" : last.getState())
            + " after " + Durations.format(timeout) + "; watch it again with 'groupsnap snapshot watch " + id + "'");
      }
      if (!pause.pause(POLL)) {
        throw new CliException(ExitCodes.FAILED, "interrupted while watching " + id);
      }
    }
  }

  private void tell(String line) {
    err.println("groupsnap: " + line);
    err.flush();
  }

  private static boolean sleep(Duration d) {
    try {
      TimeUnit.NANOSECONDS.sleep(d.toNanos());
      return true;
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
