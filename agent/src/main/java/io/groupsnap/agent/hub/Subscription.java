package io.groupsnap.agent.hub;

import io.groupsnap.proto.v1.WriterAnswer;
import io.groupsnap.proto.v1.WriterRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One application's open subscription: requests go out on its stream, answers come back matched by request id.
 *
 * <p>Thread-safety: every method may be called from any thread; sends are serialized on the stream. Once the stream
 * has ended ({@link #isOpen()} false) it never opens again — a reconnecting application gets a new subscription — and
 * every request still waiting for its answer fails with {@link Dropped}.
 */
public final class Subscription {
  /** The stream ended before the answer came. */
  static final class Dropped extends Exception {
    Dropped(String message) {
      super(message);
    }
  }

  private static final AtomicLong GENERATIONS = new AtomicLong();

  private final String application;
  private final long pid;
  private final List<String> volumes;
  private final long generation = GENERATIONS.incrementAndGet();
  private final StreamObserver<WriterRequest> out;
  private final AtomicLong nextId;
  private final Map<Long, CompletableFuture<WriterAnswer>> pending = new ConcurrentHashMap<>();
  private volatile boolean open = true;
  private boolean streamClosed;
  private volatile boolean ready;
  private volatile Instant endedAt;
  private volatile String endReason = "";

  Subscription(String application, long pid, List<String> volumes, StreamObserver<WriterRequest> out,
      AtomicLong requestIds) {
    this.application = application;
    this.pid = pid;
    this.volumes = List.copyOf(volumes);
    this.out = out;
    this.nextId = requestIds;
  }

  String application() {
    return application;
  }

  public long pid() {
    return pid;
  }

  /** The volumes the application said it writes to; empty when it did not say. */
  public List<String> volumes() {
    return volumes;
  }

  /** Distinguishes this subscription from every earlier and later one of the same application. */
  long generation() {
    return generation;
  }

  public boolean isOpen() {
    return open;
  }

  /** Open, and the application acknowledged its IDENTIFY: requests may be sent. */
  boolean isReady() {
    return open && ready;
  }

  void markReady() {
    ready = true;
  }

  /** When the stream ended, and why; null while open. */
  Instant endedAt() {
    return endedAt;
  }

  public String endReason() {
    return endReason;
  }

  /**
   * Sends a request (its id is assigned here) and returns the future of its answer, which fails with {@link Dropped}
   * if the stream ends first. A caller that stops waiting cancels the future.
   */
  public CompletableFuture<WriterAnswer> call(WriterRequest.Builder request) {
    pending.values().removeIf(CompletableFuture::isDone); // given up on by their callers (timed out)
    long id = nextId.incrementAndGet();
    CompletableFuture<WriterAnswer> answer = new CompletableFuture<>();
    pending.put(id, answer);
    if (!send(request.setRequestId(id).build())) {
      pending.remove(id);
      answer.completeExceptionally(new Dropped(droppedMessage()));
    }
    return answer;
  }

  /** Sends a request whose answer nobody waits for; false when the stream has already ended. */
  public boolean tell(WriterRequest.Builder request) {
    return send(request.setRequestId(nextId.incrementAndGet()).build());
  }

  private synchronized boolean send(WriterRequest request) {
    if (!open || streamClosed) {
      return false;
    }
    try {
      out.onNext(request);
      return true;
    } catch (RuntimeException e) {
      // the call was cancelled under us: the stream is gone
      ended("send failed: " + e.getMessage());
      return false;
    }
  }

  /** An answer arrived; one for a request nobody waits for any more (timed out, fire-and-forget) is dropped. */
  void answered(WriterAnswer answer) {
    CompletableFuture<WriterAnswer> f = pending.remove(answer.getRequestId());
    if (f != null) {
      f.complete(answer);
    }
  }

  /** The stream ended (the application went away, or the agent ended it). Idempotent. */
  void ended(String why) {
    synchronized (this) {
      if (!open) {
        return;
      }
      open = false;
      endedAt = Instant.now();
      endReason = why;
    }
    Dropped d = new Dropped(droppedMessage());
    pending.values().forEach(f -> f.completeExceptionally(d));
    pending.clear();
  }

  /** Ends the stream from the agent's side with {@code status}. */
  void end(Status status) {
    closeStream(status);
    ended(status.getDescription() == null ? status.getCode().toString() : status.getDescription());
  }

  /** Closes the outbound stream once: with {@code status}, or normally when null. */
  synchronized void closeStream(Status status) {
    if (streamClosed) {
      return;
    }
    streamClosed = true;
    try {
      if (status == null) {
        out.onCompleted();
      } else {
        out.onError(status.asRuntimeException());
      }
    } catch (RuntimeException ignored) {
      // the call was already cancelled by the application
    }
  }

  private String droppedMessage() {
    return "the subscription of application " + application + " (pid " + pid + ") ended"
        + (endReason.isEmpty() ? "" : " (" + endReason + ")");
  }

  @Override
  public String toString() {
    return application + "#" + generation + " (pid " + pid + ")";
  }
}
