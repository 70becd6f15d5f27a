package io.groupsnap.it;

import io.groupsnap.common.tls.PeerCheck;
import io.groupsnap.common.tls.Role;
import io.groupsnap.common.tls.TlsException;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.common.tls.TransportSettings;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;

/** A test's gRPC channel with the credentials it is given (a cluster's admin, its coordinator, or plaintext). */
final class ClientChannel implements AutoCloseable {
  private final Transport transport;
  final ManagedChannel channel;

  private ClientChannel(Transport transport, ManagedChannel channel) {
    this.transport = transport;
    this.channel = channel;
  }

  /** A channel to {@code target} whose server must satisfy {@code check}. */
  static ClientChannel open(TransportSettings credentials, String target, PeerCheck check) throws TlsException {
    Transport t = credentials.open(Duration.ZERO);
    return new ClientChannel(t, NettyChannelBuilder.forTarget(target, t.channelCredentials(check)).build());
  }

  /** A channel to the coordinator at {@code target}. */
  static ClientChannel toCoordinator(TransportSettings credentials, String target) throws TlsException {
    return open(credentials, target, PeerCheck.role(Role.COORDINATOR));
  }

  @Override
  public void close() {
    channel.shutdownNow();
    transport.close();
  }
}
