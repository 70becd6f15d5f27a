package io.groupsnap.coordinator.sim;

import io.groupsnap.coordinator.txn.Replies.Failure;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Calls from coordinators to agents over an unreliable network. Each message may be lost, delayed (so that messages
 * overtake each other) or — a request — delivered twice, as a retried call would be; an agent cut off by a partition
 * neither receives nor answers. A call ends exactly once, like a gRPC call with a deadline: with the first answer that
 * arrives, or with the negative reply when the deadline passes first or the agent is down (connection refused).
 * Answers to a coordinator process that has died are dropped; requests it sent before dying still arrive.
 */
final class Network {
  /** Who makes calls: one coordinator process. */
  interface Caller {
    String name();

    boolean alive();
  }

  private final World w;
  private final Map<String, Long> isolatedUntil = new TreeMap<>();
  private final Map<String, Long> lastDelivered = new TreeMap<>();
  private long sent;
  private int inFlight;
  private boolean quiet;

  Network(World w) {
    this.w = w;
  }

  /** Calls an agent; {@code answer} gets the reply or the failure, once, unless the caller died. */
  void call(Caller from, Request req, Duration deadline, Consumer<Object> answer) {
    Call c = new Call(from, req, answer);
    c.deadline = w.loop.at(deadline.toNanos(), from.name() + ": " + req + " to " + req.member().agentId()
        + " times out", () -> c.complete(AgentReplies.failed(req.kind(), Failure.TIMED_OUT,
            "agent " + req.member().agentId() + ": DEADLINE_EXCEEDED after " + deadline.toMillis() + "ms")));
    send(c);
    if (!quiet && w.chance(w.plan.duplicate())) {
      w.stats.fault(SimStats.Fault.MESSAGE_DUPLICATED);
      send(c);
    }
  }

  /** Cuts an agent off from every coordinator until {@code untilNanos}. */
  void isolate(String agentId, long untilNanos) {
    isolatedUntil.merge(agentId, untilNanos, Math::max);
  }

  /** From now on nothing is lost, duplicated or held back long, and every partition is healed: the run winds down. */
  void quiet() {
    quiet = true;
    isolatedUntil.clear();
  }

  private void send(Call c) {
    long seq = ++sent;
    String to = c.req.member().agentId();
    if (lost(to)) {
      w.note(c.from.name() + ": " + c.req + " to " + to + " is lost");
      return;
    }
    inFlight++;
    w.loop.at(delay(), c.from.name() + " -> " + to + ": " + c.req, () -> deliver(c, seq));
  }

  /** Requests and answers on their way. */
  int inFlight() {
    return inFlight;
  }

  private void deliver(Call c, long seq) {
    inFlight--;
    String to = c.req.member().agentId();
    Long last = lastDelivered.get(to);
    if (last != null && seq < last) {
      w.stats.fault(SimStats.Fault.MESSAGE_REORDERED);
    } else {
      lastDelivered.put(to, seq);
    }
    SimAgent agent = w.agent(to);
    Object reply = agent.up() ? agent.handle(c.req)
        : AgentReplies.failed(c.req.kind(), Failure.UNREACHABLE, "agent " + to + ": UNAVAILABLE connection refused");
    if (lost(to)) {
      w.note(to + ": answer to " + c.from.name() + "'s " + c.req + " is lost");
      return;
    }
    inFlight++;
    w.loop.at(delay(), to + " -> " + c.from.name() + ": " + c.req + " " + AgentReplies.describe(reply), () -> {
      inFlight--;
      c.complete(reply);
    });
  }

  private boolean lost(String agentId) {
    Long until = isolatedUntil.get(agentId);
    if (until != null && until > w.loop.now()) {
      return true;
    }
    if (!quiet && w.chance(w.plan.drop())) {
      w.stats.fault(SimStats.Fault.MESSAGE_DROPPED);
      return true;
    }
    return false;
  }

  private long delay() {
    if (!quiet && w.chance(w.plan.longDelay())) {
      w.stats.fault(SimStats.Fault.MESSAGE_DELAYED_LONG);
      return w.between(w.plan.maxDelayNanos(), 2 * w.plan.freezeTimeout().toNanos());
    }
    return w.between(20_000, w.plan.maxDelayNanos());
  }

  /** One call in flight. */
  private static final class Call {
    final Caller from;
    final Request req;
    final Consumer<Object> answer;
    EventLoop.Task deadline;
    boolean done;

    Call(Caller from, Request req, Consumer<Object> answer) {
      this.from = from;
      this.req = req;
      this.answer = answer;
    }

    void complete(Object reply) {
      if (done) {
        return;
      }
      done = true;
      deadline.cancel();
      if (from.alive()) {
        answer.accept(reply);
      }
    }
  }
}
