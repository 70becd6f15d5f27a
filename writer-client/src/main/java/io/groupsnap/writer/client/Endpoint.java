package io.groupsnap.writer.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where the agent's writer hub listens, as found at the path given to the client: a Unix domain socket, or an
 * endpoint file naming a loopback TCP port and the token to present (format in {@code writer.proto}).
 *
 * @param path the path given
 * @param host null for a Unix domain socket
 * @param port the TCP port
 * @param token the token to present; empty on a Unix domain socket
 */
record Endpoint(Path path, String host, int port, String token) {
  static final String HEADER = "groupsnap-writer-endpoint 1";

  /** Reads what is at {@code path} now (the agent may have restarted on another port since the last time). */
  static Endpoint resolve(Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "no agent serves writers there (is the agent running?)");
    }
    if (!Files.isRegularFile(path)) {
      return new Endpoint(path, null, 0, "");
    }
    List<String> lines = Files.readAllLines(path, StandardCharsets.US_ASCII);
    if (lines.size() < 3 || !lines.get(0).equals(HEADER) || !lines.get(1).startsWith("tcp ")
        || !lines.get(2).startsWith("token ")) {
      throw new IOException(path + " is neither a socket nor a groupsnap writer endpoint file");
    }
    String hostPort = lines.get(1).substring(4).strip();
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IOException(path + ": bad address '" + hostPort + "'");
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IOException(path + ": bad port in '" + hostPort + "'");
    }
    return new Endpoint(path, hostPort.substring(0, colon), port, lines.get(2).substring(6).strip());
  }

  boolean unixSocket() {
    return host == null;
  }

  /** A channel to it; {@code epoll} supplies the event loop a Unix domain socket needs. */
  ManagedChannel channel(Supplier<EventLoopGroup> epoll) throws IOException {
    if (!unixSocket()) {
      return NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    }
    if (!Epoll.isAvailable()) {
      throw new IOException("cannot connect to Unix domain socket " + path + ": epoll is not available ("
          + Epoll.unavailabilityCause() + ")");
    }
    return NettyChannelBuilder.forAddress(new DomainSocketAddress(path.toString()))
        .eventLoopGroup(epoll.get())
        .channelType(EpollDomainSocketChannel.class)
        .withOption(ChannelOption.SO_KEEPALIVE, null) // gRPC's default; a Unix socket has no such option
        .overrideAuthority("localhost")
        .usePlaintext()
        .build();
  }

  @Override
  public String toString() {
    return unixSocket() ? path.toString() : host + ":" + port + " (endpoint file " + path + ")";
  }
}
