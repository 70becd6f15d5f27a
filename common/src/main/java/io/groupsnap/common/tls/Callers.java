package io.groupsnap.common.tls;

import io.grpc.Context;

/**
 * The identity of the caller a gRPC handler is serving, put in the call's {@link Context} by the interceptor of the
 * server's {@link Transport}.
 */
public final class Callers {
  static final Context.Key<Identity> KEY = Context.key("groupsnap-caller");

  private Callers() {}

  /**
   * The current call's caller: {@link Identity#INSECURE} on an insecure server, {@link Identity#NOBODY} (no role)
   * where no transport interceptor ran — so a service wired without one refuses instead of allowing.
   */
  public static Identity current() {
    Identity id = KEY.get();
    return id == null ? Identity.NOBODY : id;
  }

  /** The context of a call made by {@code caller} (for interceptors and tests). */
  public static Context with(Identity caller) {
    return Context.current().withValue(KEY, caller);
  }
}
