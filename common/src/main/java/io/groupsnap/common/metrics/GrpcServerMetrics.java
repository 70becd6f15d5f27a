package io.groupsnap.common.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Times every call a gRPC server answers: {@code groupsnap_grpc_server_calls_seconds{method,code}}, from the call's
 * start until the server closes it (for a server stream, the whole stream), by full method name and status code.
 *
 * <p>Some of these calls end inside a freeze window (FREEZE's answer, say), so the recording is kept light: after a
 * method's first call with a given code, it is a map lookup, an array read and a lock-free timer update, with no
 * logging and no I/O. Thread-safe.
 */
public final class GrpcServerMetrics implements ServerInterceptor {
  static final String NAME = "groupsnap.grpc.server.calls";
  private static final Status.Code[] CODES = Status.Code.values();

  private final MeterRegistry registry;
  /** Per full method name, one timer per status code, made on first use. */
  private final ConcurrentMap<String, AtomicReferenceArray<Timer>> timers = new ConcurrentHashMap<>();

  public GrpcServerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    long start = System.nanoTime();
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        try {
          super.close(status, trailers);
        } finally {
          timer(method, status.getCode()).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
      }
    }, headers);
  }

  private Timer timer(String method, Status.Code code) {
    AtomicReferenceArray<Timer> byCode = timers.computeIfAbsent(method,
        m -> new AtomicReferenceArray<>(CODES.length));
    Timer t = byCode.get(code.ordinal());
    if (t == null) {
      t = Meters.histogram(NAME, "gRPC calls this daemon answered, by method and status code, start to close")
          .tags("method", method, "code", code.name())
          .register(registry);
      byCode.set(code.ordinal(), t);
    }
    return t;
  }
}
