package io.groupsnap.coordinator.inplace;

import io.groupsnap.coordinator.restores.RestoreClient;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.InPlaceStep;
import io.groupsnap.proto.v1.SwitchState;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * One step sent to every member agent of a restore, on the driver's lane: either once (each agent's answer kept, for
 * a step that may be refused: STOP_WRITERS before the commit point) or retried per agent until it succeeds, with a
 * doubling pause (the steps after the commit point, and every step that settles: they never give up; each member
 * still pending carries its last error in the record, so the record shows who is pending and why).
 */
final class StepRounds {
  private final InPlaceDriver d;

  StepRounds(InPlaceDriver d) {
    this.d = d;
  }

  /** Every agent's answer to one attempt of {@code step}, by agent; completes on the lane. */
  CompletableFuture<Map<String, InPlaceClient.StepAnswer>> once(ActiveRestore a, InPlaceStep step) {
    InPlaceState during = a.record.getState();
    Map<String, CompletableFuture<InPlaceClient.StepAnswer>> calls = new TreeMap<>();
    for (String agent : a.agents()) {
      calls.put(agent, d.client.step(agent, a.header(), step, false));
    }
    CompletableFuture<Map<String, InPlaceClient.StepAnswer>> out = new CompletableFuture<>();
    CompletableFuture.allOf(calls.values().toArray(CompletableFuture[]::new)).thenRun(() -> d.onLane(a, during, () -> {
      Map<String, InPlaceClient.StepAnswer> answers = new TreeMap<>();
      calls.forEach((agent, f) -> answers.put(agent, f.join()));
      out.complete(answers);
    }));
    return out;
  }

  /**
   * {@code step} on every agent, each retried until it succeeds; completes on the lane once all have. Each success
   * writes the member's switch state ({@code settled} when the agent names none) when it changed.
   */
  CompletableFuture<Void> untilDone(ActiveRestore a, InPlaceStep step, boolean restored, SwitchState settled) {
    InPlaceState during = a.record.getState();
    CompletableFuture<?>[] each = a.agents().stream().map(agent -> {
      CompletableFuture<Void> done = new CompletableFuture<>();
      attempt(a, during, agent, step, restored, settled, d.options.retryFirst(), done);
      return done;
    }).toArray(CompletableFuture[]::new);
    CompletableFuture<Void> all = new CompletableFuture<>();
    CompletableFuture.allOf(each).thenRun(() -> d.onLane(a, during, () -> all.complete(null)));
    return all;
  }

  private void attempt(ActiveRestore a, InPlaceState during, String agent, InPlaceStep step, boolean restored,
      SwitchState settled, Duration pause, CompletableFuture<Void> done) {
    d.client.step(agent, a.header(), step, restored).thenAccept(ans -> d.onLane(a, during, () -> {
      InPlaceRestore.Builder b = a.record.toBuilder();
      if (ans.done()) {
        InPlaceRecords.switched(b, agent, ans.volumes(), settled);
        if (changed(a, b) && !d.save(a, b)) {
          return;
        }
        done.complete(null);
        return;
      }
      String why = step.name() + ": " + reason(agent, ans) + " (retrying)";
      InPlaceRecords.members(b, agent, m -> m.setError(InPlaceRecords.line(why)));
      if (changed(a, b) && !d.save(a, b)) {
        return;
      }
      Duration next = pause.multipliedBy(2).compareTo(d.options.retryMax()) > 0 ? d.options.retryMax()
          : pause.multipliedBy(2);
      d.later(a, pause, () -> {
        if (a.record.getState() == during) {
          attempt(a, during, agent, step, restored, settled, next, done);
        }
      });
    }));
  }

  private static boolean changed(ActiveRestore a, InPlaceRestore.Builder b) {
    return !b.getMembersList().equals(a.record.getMembersList());
  }

  /** Why an answer is not a success, one line naming the agent. */
  static String reason(String agent, InPlaceClient.StepAnswer ans) {
    if (ans.kind() == RestoreClient.Kind.ANSWERED) {
      return "agent " + agent + ": " + (ans.error().isEmpty() ? "not done" : ans.error());
    }
    return ans.error();
  }
}
