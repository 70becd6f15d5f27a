package io.groupsnap.coordinator.inplace;

import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_CANCELLED;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_CANCELLING;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_CONFIRMED;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_ROLLED_BACK;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_ROLLING_BACK;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_STAGING;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_STARTING;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_STOPPING;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_SWITCHED;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_SWITCHING;

import io.groupsnap.common.Durations;
import io.groupsnap.coordinator.restores.RestoreClient;
import io.groupsnap.proto.v1.InPlaceMember;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.InPlaceStep;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.SwitchState;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * The phases of one in-place restore after its record exists, on the driver's lane; each transition is one fenced
 * write, made only as {@link InPlaceStates} allows:
 *
 * <ul>
 *   <li>STAGING: StageInPlace on every agent, then GetRestore polled until every volume is staged; a failure, an
 *       agent that forgot the restore or stayed unreachable, or the stage timeout → CANCELLING.
 *   <li>STOPPING: STOP_WRITERS once on every agent; any refusal or unreachable agent → CANCELLING.
 *   <li>SWITCHING (the commit point): SWITCH on every agent until each succeeded; STARTING: START_WRITERS(restored)
 *       likewise; SWITCHED with its keep time, after which the restore confirms itself.
 *   <li>CANCELLING: DISCARD on every agent until each succeeded → CANCELLED with the reason naming the member.
 *   <li>Confirm: CONFIRM until each succeeded → CONFIRMED. Rollback: ROLLING_BACK, then STOP_WRITERS, SWITCH_BACK,
 *       START_WRITERS(restored=false) and DISCARD, each on every agent until each succeeded → ROLLED_BACK.
 * </ul>
 */
final class InPlacePhases {
  private final InPlaceDriver d;
  private final StepRounds rounds;

  InPlacePhases(InPlaceDriver d) {
    this.d = d;
    this.rounds = new StepRounds(d);
  }

  /** Continues a restore a predecessor left, from its record's state. */
  void resume(ActiveRestore a) {
    InPlaceState s = a.record.getState();
    if (s == IN_PLACE_STAGING || s == IN_PLACE_STOPPING) {
      cancel(a, "the leader changed before the switch (cancelled in epoch " + a.term.epoch() + ")");
      return;
    }
    if (s == IN_PLACE_SWITCHED) {
      armKeep(a);
      return;
    }
    InPlaceRestore.Builder b = a.record.toBuilder();
    InPlaceRecords.event(b, d.clock.millis(), "taken up by " + d.coordinatorId + " in epoch " + a.term.epoch());
    if (!d.save(a, b)) {
      return;
    }
    switch (s) {
      case IN_PLACE_SWITCHING -> switchAll(a);
      case IN_PLACE_STARTING -> startAll(a);
      case IN_PLACE_CANCELLING -> discardAll(a);
      case IN_PLACE_ROLLING_BACK -> rollbackSteps(a);
      default -> { }
    }
  }

  // ---- STAGING ----

  void stage(ActiveRestore a) {
    d.later(a, d.options.stageTimeout(), () -> {
      if (a.record.getState() == IN_PLACE_STAGING) {
        cancel(a, "staging did not finish within " + d.options.stageTimeout() + "; still staging: " + pending(a));
      }
    });
    Map<String, CompletableFuture<RestoreClient.Answer>> calls = new TreeMap<>();
    for (String agent : a.agents()) {
      calls.put(agent, d.client.stage(agent, a.header(), a.parts.getOrDefault(agent, java.util.List.of()), false));
    }
    CompletableFuture.allOf(calls.values().toArray(CompletableFuture[]::new)).thenRun(() ->
        d.onLane(a, IN_PLACE_STAGING, () -> {
          Map<String, Long> reached = new HashMap<>();
          InPlaceRestore.Builder b = a.record.toBuilder();
          for (Map.Entry<String, CompletableFuture<RestoreClient.Answer>> e : calls.entrySet()) {
            RestoreClient.Answer ans = e.getValue().join();
            if (ans.kind() != RestoreClient.Kind.ANSWERED) {
              cancel(a, "agent " + e.getKey() + " did not start staging: " + ans.reason());
              return;
            }
            InPlaceRecords.staged(b, e.getKey(), ans.volumes());
            reached.put(e.getKey(), d.clock.millis());
          }
          if (d.save(a, b)) {
            judgeStage(a, reached);
          }
        }));
  }

  /** After each round of answers: cancel on a failure, stop once all are staged, else poll again. */
  private void judgeStage(ActiveRestore a, Map<String, Long> reached) {
    for (InPlaceMember m : a.record.getMembersList()) {
      if (m.getStage() == RestoreState.RESTORE_FAILED) {
        cancel(a, "agent " + m.getAgentId() + " failed to stage volume " + m.getVolume() + ": "
            + (m.getError().isEmpty() ? "no reason given" : m.getError()));
        return;
      }
    }
    if (a.record.getMembersList().stream().allMatch(m -> m.getStage() == RestoreState.RESTORE_DONE)) {
      stop(a);
      return;
    }
    d.later(a, d.options.pollEvery(), () -> poll(a, reached));
  }

  private void poll(ActiveRestore a, Map<String, Long> reached) {
    if (a.record.getState() != IN_PLACE_STAGING) {
      return;
    }
    Map<String, CompletableFuture<RestoreClient.Answer>> calls = new TreeMap<>();
    a.record.getMembersList().stream().filter(m -> m.getStage() != RestoreState.RESTORE_DONE)
        .map(InPlaceMember::getAgentId).distinct()
        .forEach(agent -> calls.put(agent, d.client.progress(agent, a.id())));
    CompletableFuture.allOf(calls.values().toArray(CompletableFuture[]::new)).thenRun(() ->
        d.onLane(a, IN_PLACE_STAGING, () -> {
          InPlaceRestore.Builder b = a.record.toBuilder();
          long now = d.clock.millis();
          for (Map.Entry<String, CompletableFuture<RestoreClient.Answer>> e : calls.entrySet()) {
            String agent = e.getKey();
            RestoreClient.Answer ans = e.getValue().join();
            switch (ans.kind()) {
              case ANSWERED -> {
                InPlaceRecords.staged(b, agent, ans.volumes());
                reached.put(agent, now);
              }
              case UNREACHABLE -> {
                if (now - reached.getOrDefault(agent, now) > d.options.unreachableFor().toMillis()) {
                  cancel(a, ans.reason() + " for longer than " + d.options.unreachableFor() + " while staging");
                  return;
                }
              }
              case UNKNOWN_RESTORE -> {
                cancel(a, "agent " + agent + " no longer knows the restore (restarted?): " + ans.reason());
                return;
              }
              case REFUSED -> {
                cancel(a, ans.reason());
                return;
              }
            }
          }
          boolean changed = !b.getMembersList().equals(a.record.getMembersList());
          if (!changed || d.save(a, b)) {
            judgeStage(a, reached);
          }
        }));
  }

  private static String pending(ActiveRestore a) {
    return a.record.getMembersList().stream().filter(m -> m.getStage() != RestoreState.RESTORE_DONE)
        .map(m -> m.getAgentId() + ":" + m.getVolume()).collect(Collectors.joining(", "));
  }

  // ---- STOPPING → SWITCHING → STARTING → SWITCHED ----

  private void stop(ActiveRestore a) {
    if (!transition(a, IN_PLACE_STOPPING, "every member staged; stopping writers", null)) {
      return;
    }
    rounds.once(a, InPlaceStep.STOP_WRITERS).thenAccept(answers -> {
      for (Map.Entry<String, InPlaceClient.StepAnswer> e : answers.entrySet()) {
        if (!e.getValue().done()) {
          cancel(a, "STOP_WRITERS: " + StepRounds.reason(e.getKey(), e.getValue()));
          return;
        }
      }
      if (transition(a, IN_PLACE_SWITCHING, "every member staged and stopped: switching (the commit point)",
          null)) {
        switchAll(a);
      }
    });
  }

  private void switchAll(ActiveRestore a) {
    rounds.untilDone(a, InPlaceStep.SWITCH, false, SwitchState.SWITCH_NEW).thenRun(() -> {
      if (transition(a, IN_PLACE_STARTING, "every member switched; starting writers", null)) {
        startAll(a);
      }
    });
  }

  private void startAll(ActiveRestore a) {
    rounds.untilDone(a, InPlaceStep.START_WRITERS, true, SwitchState.SWITCH_STATE_UNSPECIFIED).thenRun(() -> {
      long keep = a.record.getKeepSeconds() > 0 ? a.record.getKeepSeconds() : d.options.defaultKeep().toSeconds();
      InPlaceRestore.Builder b = a.record.toBuilder().setKeepUntilMillis(d.clock.millis() + keep * 1000);
      if (transition(a, b, IN_PLACE_SWITCHED, "every member on the restored cut; the previous data is kept for "
          + Durations.compact(Duration.ofSeconds(keep)) + " unless rolled back", null)) {
        armKeep(a);
      }
    });
  }

  private void armKeep(ActiveRestore a) {
    long wait = Math.max(0, a.record.getKeepUntilMillis() - d.clock.millis());
    d.later(a, Duration.ofMillis(wait), () -> {
      if (a.record.getState() == IN_PLACE_SWITCHED && !a.confirming) {
        confirm(a, "the keep time passed");
      }
    });
  }

  /** SWITCHED → CONFIRM on every agent → CONFIRMED. */
  void confirm(ActiveRestore a, String why) {
    if (a.confirming) {
      return;
    }
    a.confirming = true;
    rounds.untilDone(a, InPlaceStep.CONFIRM, false, SwitchState.SWITCH_SETTLED).thenRun(() -> {
      if (transition(a, IN_PLACE_CONFIRMED, "confirmed (" + why + "): the previous data is deleted", null)) {
        d.finished(a);
      }
    });
  }

  // ---- CANCELLING, ROLLING_BACK ----

  /** → CANCELLING (the reason kept), DISCARD on every agent → CANCELLED. */
  void cancel(ActiveRestore a, String reason) {
    if (transition(a, IN_PLACE_CANCELLING, "cancelling: " + reason, reason)) {
      discardAll(a);
    }
  }

  private void discardAll(ActiveRestore a) {
    rounds.untilDone(a, InPlaceStep.DISCARD, false, SwitchState.SWITCH_STATE_UNSPECIFIED).thenRun(() -> {
      if (transition(a, IN_PLACE_CANCELLED, "cancelled: every member on its previous data, staged data removed",
          null)) {
        d.finished(a);
      }
    });
  }

  /** SWITCHED → ROLLING_BACK → ... → ROLLED_BACK. */
  void rollback(ActiveRestore a) {
    if (transition(a, IN_PLACE_ROLLING_BACK, "rolling back (asked by the operator)", "rolled back by the operator")) {
      rollbackSteps(a);
    }
  }

  private void rollbackSteps(ActiveRestore a) {
    rounds.untilDone(a, InPlaceStep.STOP_WRITERS, false, SwitchState.SWITCH_STATE_UNSPECIFIED)
        .thenCompose(x -> rounds.untilDone(a, InPlaceStep.SWITCH_BACK, false, SwitchState.SWITCH_OLD))
        .thenCompose(x -> rounds.untilDone(a, InPlaceStep.START_WRITERS, false, SwitchState.SWITCH_STATE_UNSPECIFIED))
        .thenCompose(x -> rounds.untilDone(a, InPlaceStep.DISCARD, false, SwitchState.SWITCH_STATE_UNSPECIFIED))
        .thenRun(() -> {
          if (transition(a, IN_PLACE_ROLLED_BACK, "rolled back: every member on its previous data", null)) {
            d.finished(a);
          }
        });
  }

  private boolean transition(ActiveRestore a, InPlaceState to, String event, String reason) {
    return transition(a, a.record.toBuilder(), to, event, reason);
  }

  /** One checked transition, written with an event (and a reason when given); false when not written. */
  private boolean transition(ActiveRestore a, InPlaceRestore.Builder b, InPlaceState to, String event,
      String reason) {
    InPlaceStates.require(a.record.getState(), to);
    b.setState(to);
    if (reason != null) {
      b.setReason(InPlaceRecords.line(reason));
    }
    InPlaceRecords.event(b, d.clock.millis(), event);
    return d.save(a, b);
  }
}
