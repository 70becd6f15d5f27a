package io.groupsnap.coordinator.rpc;

import io.groupsnap.common.Health;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.ServerEdge;
import io.groupsnap.common.tls.Transport;
import io.grpc.HandlerRegistry;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The coordinator's gRPC server, started: where it listens, what runs before every call (the caller's identity, the
 * call metrics), the health service from the first moment and the coordinator's services once they are built (a
 * registry filled in later); and the address it gives out to others. Stateless.
 */
public final class CoordinatorServer {
  private CoordinatorServer() {}

  /**
   * Starts the server on {@code listen} over {@code transport}, answering {@code health} at once and whatever is added
   * to {@code services} later.
   *
   * @param metrics times each call, from when the caller's identity is known to the call's close
   */
  public static Server start(HostPort listen, Transport transport, ServerInterceptor metrics, Health health,
      HandlerRegistry services) throws IOException {
    return ServerEdge.bounded(NettyServerBuilder.forAddress(
            new InetSocketAddress(listen.host(), listen.port()), transport.serverCredentials()))
        // Server-wide interceptors run last-added first: callers() runs first and puts the caller's identity in
        // the call's context, then metrics times the call from there to its close, so the role checks' refusals
        // inside the services are counted (PERMISSION_DENIED) as well as the calls served.
        .intercept(metrics)
        .intercept(transport.callers())
        .fallbackHandlerRegistry(services)
        .addService(health.service())
        .build().start();
  }

  /**
   * The address others reach the coordinator at: {@code advertise} when given (its port 0: the port bound), else
   * {@code listen}'s host (this host's address for a wildcard one) with the port bound.
   */
  public static HostPort advertised(HostPort listen, HostPort advertise, int port) throws UnknownHostException {
    if (advertise != null) {
      return new HostPort(advertise.host(), advertise.port() == 0 ? port : advertise.port());
    }
    String host = listen.host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = InetAddress.getLocalHost().getHostAddress();
    }
    return new HostPort(host, port);
  }
}
