package io.groupsnap.common.tls;

import io.groupsnap.common.ServerEdge;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Lets a call through only when its caller ({@link Callers#current()}) holds the role its method needs; every other
 * call ends with PERMISSION_DENIED before its request is even decoded, so no handler runs for it. A method missing
 * from the table is denied: a new method is closed until someone decides who may call it.
 *
 * <p>Install it on the service it guards ({@code ServerInterceptors.intercept(service, gate)}), inside the
 * transport's {@link Transport#callers()} interceptor (a server-wide one), which names the caller. Thread-safe.
 */
public final class AccessGate implements ServerInterceptor {
  /** Told of every refused call (the audit trail records them); called on the call's thread, must not block. */
  @FunctionalInterface
  public interface Denials {
    Denials NONE = (who, method, needed, why) -> { };

    /**
     * @param method the method's bare name ({@code DeleteGroupSnapshot})
     * @param needed the role it needs; null when the method is in no table
     * @param why the one-line text the caller was given
     */
    void denied(Identity who, String method, Role needed, String why);
  }

  private final Map<String, Role> needs;
  private final Denials denials;

  /**
   * @param needs the role each method needs, by full method name ({@code groupsnap.v1.AgentService/Prepare})
   * @param denials told of each refusal
   */
  public AccessGate(Map<String, Role> needs, Denials denials) {
    this.needs = Map.copyOf(needs);
    this.denials = denials;
  }

  /** The role {@code fullMethodName} needs, or null when it is in no table (denied to everyone). */
  public Role needed(String fullMethodName) {
    return needs.get(fullMethodName);
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    String full = call.getMethodDescriptor().getFullMethodName();
    Role needed = needs.get(full);
    Identity who = Callers.current();
    if (needed != null && who.may(needed)) {
      return next.startCall(call, headers);
    }
    String method = MethodDescriptor.extractBareMethodName(full);
    String why = refusal(who, needed, method);
    denials.denied(who, method, needed, why);
    call.close(ServerEdge.status(Status.Code.PERMISSION_DENIED, why), new Metadata());
    return new ServerCall.Listener<>() { };
  }

  /** "identity 'bob' (viewer) lacks the operator role for DeleteGroupSnapshot". */
  static String refusal(Identity who, Role needed, String method) {
    String held = who.roles().isEmpty() ? "no role"
        : who.roles().stream().sorted().map(Role::label).collect(Collectors.joining(", "));
    String identity = "identity '" + who.name() + "' (" + held + ")";
    return needed == null ? identity + " may not call " + method + ": no role is allowed to"
        : identity + " lacks the " + needed.label() + " role for " + method;
  }
}
