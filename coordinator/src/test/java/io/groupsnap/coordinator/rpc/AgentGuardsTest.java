package io.groupsnap.coordinator.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AgentGuardsTest {
  final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  final AgentGuards guards = new AgentGuards(timer, Duration.ofSeconds(30));

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  static CompletableFuture<String> unavailable() {
    return CompletableFuture.failedFuture(Status.UNAVAILABLE.withDescription("connection refused").asException());
  }

  @Test
  void aCallThatSucceedsOnRetry_countsAsOneSuccess_forTheBreaker() throws Exception {
    for (int i = 0; i < 5; i++) {
      AtomicInteger attempts = new AtomicInteger();
      String r = guards.run("a:1", () -> attempts.incrementAndGet() == 1 ? unavailable()
          : CompletableFuture.completedFuture("ok")).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(r).isEqualTo("ok");
      assertThat(attempts.get()).isEqualTo(2);
    }
    assertThat(guards.guard("a:1").breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void anAgentThatKeepsFailing_opensItsCircuit_andTheNextCallFailsAtOnce() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> guards.run("b:1", AgentGuardsTest::unavailable).toCompletableFuture()
          .get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(io.grpc.StatusException.class);
    }
    AtomicInteger attempts = new AtomicInteger();
    assertThatThrownBy(() -> guards.run("b:1", () -> {
      attempts.incrementAndGet();
      return CompletableFuture.completedFuture("ok");
    }).toCompletableFuture().get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(CallNotPermittedException.class);
    assertThat(attempts.get()).as("not even attempted").isZero();
    assertThat(guards.guard("b:2").breaker().getState()).as("another agent instance")
        .isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void onlyUnavailableIsRetried() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    assertThatThrownBy(() -> guards.run("c:1", () -> {
      attempts.incrementAndGet();
      return CompletableFuture.<String>failedFuture(Status.FAILED_PRECONDITION.asException());
    }).toCompletableFuture().get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(io.grpc.StatusException.class);
    assertThat(attempts.get()).isEqualTo(1);
  }
}
