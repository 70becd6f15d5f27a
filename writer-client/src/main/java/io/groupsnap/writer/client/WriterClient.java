package io.groupsnap.writer.client;

import io.groupsnap.proto.v1.ApplicationMessage;
import io.groupsnap.proto.v1.WriterAnswer;
import io.groupsnap.proto.v1.WriterIdentity;
import io.groupsnap.proto.v1.WriterOutcome;
import io.groupsnap.proto.v1.WriterPhase;
import io.groupsnap.proto.v1.WriterRequest;
import io.groupsnap.proto.v1.WriterServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An application's subscription to its agent's writer hub: it takes part in group snapshots as a writer of kind
 * {@code grpc} and is asked, through its {@link Handler}, to prepare, freeze and thaw.
 *
 * <pre>{@code
 * try (WriterClient client = WriterClient.connect(Path.of("/var/lib/groupsnap/state/writers.sock"), "orders",
 *     new Handler() {
 *       public Outcome freeze(Txn txn, Instant deadline) { db.pauseWrites(); return Outcome.OK; }
 *       public Outcome thaw(Txn txn) { db.resumeWrites(); return Outcome.OK; }
 *     })) {
 *   ... the application runs ...
 * }
 * }</pre>
 *
 * <p>It stays subscribed for as long as it is open: when the agent goes away (restart, crash) it reconnects with
 * exponential backoff, re-reading the path each time (a socket, or the endpoint file of a loopback TCP hub).
 *
 * <p>It never lets a hold outlast its lease: when the agent's THAW has not come by the lease deadline sent with
 * FREEZE, the client calls {@link Handler#thaw} by itself and later answers the agent's THAW "released by itself";
 * when the subscription drops while holding, it releases at once (the agent can no longer vouch for the hold, so the
 * group snapshot will not be committed anyway, and holding on would only stall the application).
 *
 * <p>Threading: the handler runs on one thread of this client's own (see {@link Handler}); every public method is
 * thread-safe. {@link #close()} is idempotent, releases any hold, and may be called from a handler callback.
 */
public final class WriterClient implements AutoCloseable {
  private static final System.Logger log = System.getLogger(WriterClient.class.getName());
  static final String CLIENT = "groupsnap-writer-client/0.1.0 (java)";

  private enum State { STARTED, CLOSED }

  private final Path path;
  private final String application;
  private final Handler handler;
  private final long pid;
  private final List<String> volumes;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Clock clock;
  private final AtomicReference<State> state = new AtomicReference<>(State.STARTED);
  /** Runs every callback, timer and reconnection: all fields below are confined to it. */
  private final ScheduledExecutorService events;
  private volatile Thread eventThread;
  private EventLoopGroup epoll;
  private Stream stream;
  private long generations;
  private Duration backoff;
  private final Dispatcher dispatcher;
  private volatile boolean subscribed;
  private volatile CountDownLatch subscribedLatch = new CountDownLatch(1);
  private volatile String lastError = "";

  /** One attempt's stream; replaced on every reconnection. */
  private static final class Stream {
    final long generation;
    final ManagedChannel channel;
    StreamObserver<ApplicationMessage> out;

    Stream(long generation, ManagedChannel channel) {
      this.generation = generation;
      this.channel = channel;
    }
  }

  private WriterClient(Builder b) {
    this.path = b.path.toAbsolutePath().normalize();
    this.application = b.application;
    this.handler = b.handler;
    this.pid = b.pid;
    this.volumes = List.copyOf(b.volumes);
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.clock = b.clock;
    this.backoff = initialBackoff;
    this.events = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "groupsnap-writer-" + application);
      t.setDaemon(true);
      eventThread = t;
      return t;
    });
    this.dispatcher = new Dispatcher(application, handler, clock, events);
  }

  /**
   * Subscribes {@code application} at the agent's writer hub at {@code socket} with the defaults of
   * {@link #builder}. Returns at once; the subscription is made (and remade) in the background: see
   * {@link #awaitSubscribed}.
   *
   * @throws IllegalArgumentException when {@code application} is not a valid name
   */
  public static WriterClient connect(Path socket, String application, Handler handler) {
    return builder(socket, application, handler).connect();
  }

  /** A client with settings beyond the defaults. */
  public static Builder builder(Path socket, String application, Handler handler) {
    return new Builder(socket, application, handler);
  }

  /** Settings of a {@link WriterClient}; not thread-safe, use from one thread. */
  public static final class Builder {
    private final Path path;
    private final String application;
    private final Handler handler;
    private long pid = ProcessHandle.current().pid();
    private List<String> volumes = List.of();
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private Clock clock = Clock.systemUTC();

    private Builder(Path path, String application, Handler handler) {
      this.path = java.util.Objects.requireNonNull(path, "socket");
      this.application = ClientNames.require("application", application);
      this.handler = java.util.Objects.requireNonNull(handler, "handler");
    }

    /** The agent's volumes this application writes to, checked by the agent against its writer's volumes. */
    public Builder volumes(Collection<String> names) {
      for (String v : names) {
        ClientNames.require("volume", v);
      }
      this.volumes = List.copyOf(names);
      return this;
    }

    /** The process id reported to the agent; this process's by default. */
    public Builder pid(long pid) {
      this.pid = pid;
      return this;
    }

    /** Delays between reconnection attempts: from {@code initial}, doubling up to {@code max}. */
    public Builder backoff(Duration initial, Duration max) {
      if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("backoff needs 0 < initial <= max");
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** The clock lease deadlines are compared with (tests). */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Starts the client; it subscribes in the background. */
    public WriterClient connect() {
      WriterClient c = new WriterClient(this);
      c.events.execute(c::attempt);
      return c;
    }
  }

  public String application() {
    return application;
  }

  /** True while subscribed: the agent accepted this application and can send it requests. */
  public boolean isSubscribed() {
    return subscribed;
  }

  /** Waits until subscribed; false when {@code timeout} passed first or the client was closed. */
  public boolean awaitSubscribed(Duration timeout) throws InterruptedException {
    return subscribedLatch.await(timeout.toNanos(), TimeUnit.NANOSECONDS) && subscribed;
  }

  /** Why the last subscription attempt failed or the last subscription ended; empty when none has. */
  public String lastError() {
    return lastError;
  }

  /** True while the application holds its writes for a group snapshot, as far as this client knows. */
  public boolean isHolding() {
    return onEvents(dispatcher::holding);
  }

  private void attempt() {
    if (state.get() == State.CLOSED) {
      return;
    }
    Endpoint endpoint;
    ManagedChannel channel;
    try {
      endpoint = Endpoint.resolve(path);
      channel = endpoint.channel(this::epoll);
    } catch (IOException | RuntimeException e) {
      retryLater(e.getMessage() == null ? e.toString() : e.getMessage());
      return;
    }
    Stream s = new Stream(++generations, channel);
    stream = s;
    try {
      s.out = WriterServiceGrpc.newStub(channel).subscribe(new StreamObserver<>() {
        @Override
        public void onNext(WriterRequest r) {
          post(() -> onRequest(s, r));
        }

        @Override
        public void onError(Throwable t) {
          Status st = Status.fromThrowable(t);
          post(() -> onEnded(s, st.getCode() + (st.getDescription() == null ? "" : ": " + st.getDescription())));
        }

        @Override
        public void onCompleted() {
          post(() -> onEnded(s, "the agent ended the subscription"));
        }
      });
      s.out.onNext(ApplicationMessage.newBuilder().setIdentity(WriterIdentity.newBuilder().setApplication(application)
          .setPid(pid).addAllVolumes(volumes).setToken(endpoint.token()).setClient(CLIENT)).build());
    } catch (RuntimeException e) {
      onEnded(s, e.toString());
    }
  }

  private void post(Runnable task) {
    try {
      events.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed
    }
  }

  private EventLoopGroup epoll() {
    if (epoll == null) {
      epoll = new MultiThreadIoEventLoopGroup(1, r -> {
        Thread t = new Thread(r, "groupsnap-writer-io-" + application);
        t.setDaemon(true);
        return t;
      }, EpollIoHandler.newFactory());
    }
    return epoll;
  }

  private void retryLater(String why) {
    lastError = why;
    if (state.get() == State.CLOSED) {
      return;
    }
    long base = backoff.toMillis();
    long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
    log.log(System.Logger.Level.DEBUG, "writer {0}: not subscribed ({1}); next attempt in {2}ms", application, why,
        delay);
    try {
      events.schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  private void onEnded(Stream s, String why) {
    if (stream != s) {
      return;
    }
    stream = null;
    boolean was = subscribed;
    subscribed = false;
    if (was) {
      subscribedLatch = new CountDownLatch(1);
    }
    s.channel.shutdownNow();
    dispatcher.releaseAll("the subscription to the agent ended (" + why + ")");
    retryLater(why);
  }

  private void onRequest(Stream s, WriterRequest r) {
    if (stream != s) {
      return;
    }
    Outcome answer;
    if (r.getPhase() == WriterPhase.WRITER_PHASE_IDENTIFY) {
      subscribed = true;
      backoff = initialBackoff;
      lastError = "";
      subscribedLatch.countDown();
      log.log(System.Logger.Level.DEBUG, "writer {0}: subscribed to agent {1} as writer {2} on {3}", application,
          r.getAgentId(), r.getWriter(), path);
      answer = Outcome.OK;
    } else {
      answer = dispatcher.handle(r);
    }
    if (stream != s) {
      return; // the handler closed the client, or the stream ended meanwhile
    }
    try {
      s.out.onNext(ApplicationMessage.newBuilder().setAnswer(WriterAnswer.newBuilder().setRequestId(r.getRequestId())
          .setOutcome(toProto(answer.code())).setReason(answer.reason())).build());
    } catch (RuntimeException e) {
      onEnded(s, "answer could not be sent: " + e);
    }
  }

  private static WriterOutcome toProto(Outcome.Code c) {
    switch (c) {
      case OK:
        return WriterOutcome.WRITER_OUTCOME_OK;
      case RETRYABLE:
        return WriterOutcome.WRITER_OUTCOME_RETRYABLE;
      default:
        return WriterOutcome.WRITER_OUTCOME_NON_RETRYABLE;
    }
  }

  private <T> T onEvents(java.util.concurrent.Callable<T> task) {
    if (Thread.currentThread() == eventThread) {
      try {
        return task.call();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    try {
      return events.submit(task).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException | java.util.concurrent.RejectedExecutionException e) {
      throw new IllegalStateException("writer client " + application + " is closed or busy", e);
    }
  }

  /**
   * Releases any hold (calling {@link Handler#thaw}), ends the subscription and stops the client's threads.
   * Idempotent.
   */
  @Override
  public void close() {
    if (!state.compareAndSet(State.STARTED, State.CLOSED)) {
      return;
    }
    Runnable shutdown = () -> {
      dispatcher.releaseAll("the client was closed");
      Stream s = stream;
      stream = null;
      subscribed = false;
      if (s != null) {
        try {
          s.out.onCompleted();
        } catch (RuntimeException ignored) {
          // already gone
        }
        s.channel.shutdown();
      }
    };
    if (Thread.currentThread() == eventThread) {
      shutdown.run();
      events.shutdown();
    } else {
      try {
        events.submit(shutdown).get(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        log.log(System.Logger.Level.WARNING, "writer " + application + ": close", e);
      }
      events.shutdownNow();
      try {
        events.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    subscribedLatch.countDown();
    if (epoll != null) {
      epoll.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
