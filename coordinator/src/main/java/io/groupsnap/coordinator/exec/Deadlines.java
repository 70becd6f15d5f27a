package io.groupsnap.coordinator.exec;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/** Bounds on futures, timed by a {@link Scheduler} (so that the simulation times them on its virtual clock). */
public final class Deadlines {
  private Deadlines() {}

  /**
   * {@code answer}'s outcome, or a {@link TimeoutException} saying {@code what} when none came within {@code limit}.
   * Clients' futures end with their calls' own deadlines; this keeps a caller from waiting for ever on one that would
   * not.
   */
  public static <T> CompletableFuture<T> within(CompletableFuture<T> answer, Duration limit, Scheduler lane,
      String what) {
    CompletableFuture<T> out = new CompletableFuture<>();
    Scheduler.Cancellable timer = lane.schedule(limit, () -> out.completeExceptionally(
        new TimeoutException(what + " within " + limit.toMillis() + "ms")));
    answer.whenComplete((a, e) -> {
      timer.cancel();
      if (e == null) {
        out.complete(a);
      } else {
        out.completeExceptionally(e);
      }
    });
    return out;
  }
}
