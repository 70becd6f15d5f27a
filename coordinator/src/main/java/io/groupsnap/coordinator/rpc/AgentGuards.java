package io.groupsnap.coordinator.rpc;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * Per-agent protection of the leader's calls: a circuit breaker (an agent known to be down fails the next call at
 * once, so a group snapshot that needs it aborts at PREPARE, before anyone is frozen), a bulkhead (a stuck agent cannot
 * take every thread), and a retry of UNAVAILABLE only (the request did not reach the agent; every agent call is
 * idempotent per transaction and phase). gRPC deadlines stay the real timeouts: every attempt carries the phase's one
 * absolute deadline, so retries never extend a phase. gRPC's own retries are disabled on the channels.
 */
final class AgentGuards {
  /** The guards of one agent. */
  record Guard(CircuitBreaker breaker, Bulkhead bulkhead, Retry retry) {}

  private final Map<String, Guard> guards = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler;
  private final CircuitBreakerConfig breakerConfig;
  private final BulkheadConfig bulkheadConfig;
  private final RetryConfig retryConfig;

  AgentGuards(ScheduledExecutorService scheduler, Duration openFor) {
    this.scheduler = scheduler;
    this.breakerConfig = CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(6)
        .minimumNumberOfCalls(3)
        .failureRateThreshold(50)
        .waitDurationInOpenState(openFor)
        .permittedNumberOfCallsInHalfOpenState(1)
        .recordException(AgentGuards::unreachable)
        .build();
    this.bulkheadConfig = BulkheadConfig.custom().maxConcurrentCalls(8).maxWaitDuration(Duration.ZERO).build();
    this.retryConfig = RetryConfig.custom()
        .maxAttempts(3)
        .waitDuration(Duration.ofMillis(100))
        .retryOnException(e -> Status.fromThrowable(e).getCode() == Status.Code.UNAVAILABLE)
        .build();
  }

  /** The agent did not answer: UNAVAILABLE or a missed deadline. Answers such as FAILED_PRECONDITION do not count. */
  static boolean unreachable(Throwable e) {
    Status.Code c = Status.fromThrowable(e).getCode();
    return c == Status.Code.UNAVAILABLE || c == Status.Code.DEADLINE_EXCEEDED;
  }

  Guard guard(String endpoint) {
    return guards.computeIfAbsent(endpoint, e -> new Guard(CircuitBreaker.of("agent-" + e, breakerConfig),
        Bulkhead.of("agent-" + e, bulkheadConfig), Retry.of("agent-" + e, retryConfig)));
  }

  /** Runs {@code call} with the agent's retry of UNAVAILABLE only. */
  <R> CompletionStage<R> retryOnly(String endpoint, Supplier<CompletionStage<R>> call) {
    return Retry.decorateCompletionStage(guard(endpoint).retry(), scheduler, call).get();
  }

  /**
   * Runs {@code call} under the agent's circuit breaker, retry and bulkhead, in that order from the outside: the
   * breaker sees one outcome per logical call, so a call that succeeds on its second attempt counts as a success.
   */
  <R> CompletionStage<R> run(String endpoint, Supplier<CompletionStage<R>> call) {
    Guard g = guard(endpoint);
    Supplier<CompletionStage<R>> limited = Bulkhead.decorateCompletionStage(g.bulkhead(), call);
    Supplier<CompletionStage<R>> retried = Retry.decorateCompletionStage(g.retry(), scheduler, limited);
    return CircuitBreaker.decorateCompletionStage(g.breaker(), retried).get();
  }
}
