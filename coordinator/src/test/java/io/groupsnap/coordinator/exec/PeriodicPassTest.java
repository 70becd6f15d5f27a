package io.groupsnap.coordinator.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class PeriodicPassTest {
  /** A lane run by hand: queued tasks and timers, each run when the test says. */
  static final class HandLane implements Scheduler {
    final Deque<Runnable> queued = new ArrayDeque<>();
    final List<Runnable> timers = new ArrayList<>();
    final List<Duration> delays = new ArrayList<>();
    int cancelled;

    @Override
    public void execute(Runnable task) {
      queued.add(task);
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      timers.add(task);
      delays.add(delay);
      return () -> cancelled++;
    }

    void drain() {
      while (!queued.isEmpty()) {
        queued.poll().run();
      }
    }
  }

  final HandLane lane = new HandLane();
  int passes;
  final PeriodicPass p = new PeriodicPass(lane, Duration.ofMinutes(5), () -> passes++);

  @Test
  void startRunsAPassAtOnce_thenEveryInterval() {
    p.start();
    lane.drain();
    assertThat(passes).isEqualTo(1);
    assertThat(lane.delays).containsExactly(Duration.ofMinutes(5));
    lane.timers.get(0).run();
    assertThat(passes).isEqualTo(2);
    assertThat(lane.delays).hasSize(2);
  }

  @Test
  void pokesWhileOneIsQueued_areOnePass_andALaterPokeIsAnother() {
    p.poke();
    p.poke();
    p.poke();
    lane.drain();
    assertThat(passes).isEqualTo(1);
    p.poke();
    lane.drain();
    assertThat(passes).isEqualTo(2);
  }

  @Test
  void afterClose_noPassStarts_queuedOrTimed_andTheTimerIsCancelled() {
    p.start();
    lane.drain();
    p.poke();
    p.close();
    lane.drain();
    lane.timers.get(0).run();
    assertThat(passes).isEqualTo(1);
    assertThat(lane.cancelled).isEqualTo(1);
    assertThat(p.closed()).isTrue();
    p.poke();
    assertThat(lane.queued).isEmpty();
  }

  @Test
  void oneLine_unwrapsFutureWrappers_andJoinsLines() {
    Exception e = new ExecutionException(new CompletionException(new IllegalStateException("agent a2\n  down")));
    assertThat(PeriodicPass.oneLine(e)).isEqualTo("agent a2 down");
    assertThat(PeriodicPass.oneLine(new NullPointerException())).isEqualTo("NullPointerException");
  }
}
