package io.groupsnap.agent.hub;

import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings each connection's {@link Peer} — the kernel's {@code SO_PEERCRED} record of the process that connected to
 * the hub's Unix domain socket — to the calls made on that connection.
 *
 * <p>How: the hub's server uses {@link #negotiator()}, gRPC's plaintext server negotiation with one step added. When a
 * connection becomes active, gRPC's own step records the remote and local addresses in the transport's attributes
 * and passes them down the pipeline; the added step reads the credentials of the accepted socket
 * ({@link EpollDomainSocketChannel#peerCredentials()}) and adds them to those attributes as {@link #PEER}. gRPC hands
 * the transport's attributes to every call on the connection ({@code ServerCall.getAttributes()}), where
 * {@link #interceptor()} puts the peer into the call's {@link Context} ({@link #current()}).
 *
 * <p>Why this way: the credentials are taken from the very socket the calls arrive on, once, before any call is
 * served, and travel with the connection the way gRPC carries a TLS session — no table keyed by addresses, no
 * reflection. Netty's domain socket channel classes are final, so a subclass reporting the credentials as its remote
 * address is not possible. The negotiator hooks are gRPC's {@code Internal*} API: a change there breaks the build and
 * {@code WriterHubPeerTest}, not silently the check. A connection whose credentials cannot be read is closed; a call
 * without a peer (loopback TCP, which has none) is told so by {@link #current()} returning null.
 */
final class PeerCredentials {
  private static final Logger log = LoggerFactory.getLogger(PeerCredentials.class);
  /** The transport attribute holding a connection's {@link Peer}. */
  static final Attributes.Key<Peer> PEER = Attributes.Key.create("groupsnap.writer-hub.peer");
  private static final Context.Key<Peer> CALL_PEER = Context.key("groupsnap.writer-hub.peer");

  private PeerCredentials() {}

  /** The peer of the call being served; null when the connection has none (not a Unix domain socket). */
  static Peer current() {
    return CALL_PEER.get();
  }

  /** Plaintext server negotiation that adds {@link #PEER} to each connection's attributes. */
  static InternalProtocolNegotiator.ProtocolNegotiator negotiator() {
    return new InternalProtocolNegotiator.ProtocolNegotiator() {
      @Override
      public AsciiString scheme() {
        return AsciiString.of("http");
      }

      @Override
      public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        ChannelHandler last = InternalProtocolNegotiators.grpcNegotiationHandler(grpcHandler);
        return InternalProtocolNegotiators.waitUntilActiveHandler(new AddPeer(last),
            grpcHandler.getNegotiationLogger());
      }

      @Override
      public void close() {}
    };
  }

  /** Moves the connection's {@link #PEER} into each call's context. */
  static ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
          ServerCallHandler<Q, A> next) {
        Peer peer = call.getAttributes().get(PEER);
        return Contexts.interceptCall(Context.current().withValue(CALL_PEER, peer), call, headers, next);
      }
    };
  }

  /** The added negotiation step: on the negotiation event, adds the peer and hands over to {@code next}. */
  private static final class AddPeer extends ChannelInboundHandlerAdapter {
    private final ChannelHandler next;

    AddPeer(ChannelHandler next) {
      this.next = next;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (!(evt instanceof ProtocolNegotiationEvent pne)) {
        super.userEventTriggered(ctx, evt);
        return;
      }
      Attributes attrs = InternalProtocolNegotiationEvent.getAttributes(pne);
      if (ctx.channel() instanceof EpollDomainSocketChannel ch) {
        io.grpc.netty.shaded.io.netty.channel.unix.PeerCredentials c;
        try {
          c = ch.peerCredentials();
        } catch (IOException e) {
          log.warn("writer hub: closing a connection whose peer credentials cannot be read: {}", e.toString());
          ctx.close();
          return;
        }
        int[] gids = c.gids();
        Peer peer = new Peer(c.pid(), c.uid(), gids.length > 0 ? gids[0] : -1);
        attrs = attrs.toBuilder().set(PEER, peer).build();
      }
      ctx.pipeline().replace(this, null, next);
      ctx.fireUserEventTriggered(InternalProtocolNegotiationEvent.withAttributes(pne, attrs));
    }
  }
}
