package io.groupsnap.common;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What every groupsnap gRPC server does at its edge, before a handler sees a request.
 *
 * <ul>
 *   <li>{@link #bounded} caps the size of an inbound message at {@link #MAX_REQUEST_BYTES} (gRPC answers
 *       RESOURCE_EXHAUSTED above it).
 *   <li>{@link #guard} makes a request that cannot be decoded fail with INVALID_ARGUMENT naming the method — gRPC on
 *       its own reports a decoding failure as UNKNOWN ("application error"), which reads as a server bug.
 *   <li>{@link #status} bounds and escapes a status description: it travels in an HTTP/2 header, and one that
 *       quotes a huge input breaks the transport itself ("http2 exception") instead of reporting the error.
 * </ul>
 *
 * <p>Stateless; the guarded definition is used like the original one.
 */
public final class ServerEdge {
  /**
   * The largest request a groupsnap server accepts. Requests are small (a thousand member selectors take about
   * 100 KiB); the gRPC default of 4 MiB only lets a stray client make a server buffer more.
   */
  public static final int MAX_REQUEST_BYTES = 1 << 20;

  private ServerEdge() {}

  /** The builder with groupsnap's inbound limits. */
  public static <T extends ServerBuilder<T>> T bounded(T builder) {
    return builder.maxInboundMessageSize(MAX_REQUEST_BYTES);
  }

  /** A status with {@code description} escaped and cut ({@link Printable#line}); none when it is null. */
  public static Status status(Status.Code code, String description) {
    Status s = Status.fromCode(code);
    return description == null ? s : s.withDescription(Printable.line(description));
  }

  /** The same service, whose methods answer INVALID_ARGUMENT to a request that does not decode. */
  public static ServerServiceDefinition guard(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
        .setSchemaDescriptor(original.getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      ServerMethodDefinition<?, ?> guarded = guard(m);
      descriptor.addMethod(guarded.getMethodDescriptor());
      methods.add(guarded);
    }
    ServerServiceDefinition.Builder out = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(out::addMethod);
    return out.build();
  }

  private static <Q, R> ServerMethodDefinition<Object, R> guard(ServerMethodDefinition<Q, R> method) {
    MethodDescriptor<Q, R> original = method.getMethodDescriptor();
    MethodDescriptor<Object, R> lenient = original.toBuilder(
        new LenientMarshaller<>(original.getRequestMarshaller()), original.getResponseMarshaller()).build();
    ServerCallHandler<Q, R> handler = method.getServerCallHandler();
    return ServerMethodDefinition.create(lenient, (call, headers) -> {
      ServerCall.Listener<Q> inner = handler.startCall(new Typed<>(call, original), headers);
      return new Refusing<>(call, inner, original.getFullMethodName());
    });
  }

  /** What a request that did not decode becomes: never handed to a handler. */
  private record Undecodable(String reason) {}

  /** Parses like the original marshaller, but turns a decoding failure into a value instead of an exception. */
  private static final class LenientMarshaller<Q> implements MethodDescriptor.Marshaller<Object> {
    private final MethodDescriptor.Marshaller<Q> original;

    LenientMarshaller(MethodDescriptor.Marshaller<Q> original) {
      this.original = original;
    }

    @Override
    @SuppressWarnings("unchecked")
    public InputStream stream(Object value) {
      return original.stream((Q) value);
    }

    @Override
    public Object parse(InputStream stream) {
      try {
        return original.parse(stream);
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return new Undecodable(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
      }
    }
  }

  /** The call as the original handler expects it: typed, and describing the original method. */
  private static final class Typed<Q, R> extends ForwardingServerCall<Q, R> {
    private final ServerCall<Object, R> call;
    private final MethodDescriptor<Q, R> method;

    Typed(ServerCall<Object, R> call, MethodDescriptor<Q, R> method) {
      this.call = call;
      this.method = method;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected ServerCall<Q, R> delegate() {
      return (ServerCall<Q, R>) (ServerCall<?, R>) call;
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
      return method;
    }
  }

  /**
   * Hands decoded requests to the handler's listener, and ends the call with INVALID_ARGUMENT on an undecodable one;
   * after that only cancellation and completion reach the handler. gRPC calls a listener serially.
   */
  private static final class Refusing<Q, R> extends ServerCall.Listener<Object> {
    private final ServerCall<Object, R> call;
    private final ServerCall.Listener<Q> inner;
    private final String method;
    private boolean refused;

    Refusing(ServerCall<Object, R> call, ServerCall.Listener<Q> inner, String method) {
      this.call = call;
      this.inner = inner;
      this.method = method;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void onMessage(Object message) {
      if (refused) {
        return;
      }
      if (message instanceof Undecodable u) {
        refused = true;
        call.close(status(Status.Code.INVALID_ARGUMENT, "request to " + method + " cannot be decoded: "
            + Printable.escapeAndCut(u.reason(), 200)), new Metadata());
        return;
      }
      inner.onMessage((Q) message);
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        inner.onHalfClose();
      }
    }

    @Override
    public void onReady() {
      if (!refused) {
        inner.onReady();
      }
    }

    @Override
    public void onCancel() {
      inner.onCancel();
    }

    @Override
    public void onComplete() {
      inner.onComplete();
    }
  }
}
