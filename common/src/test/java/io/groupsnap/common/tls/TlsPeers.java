package io.groupsnap.common.tls;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** A real gRPC server (the standard health service) on 127.0.0.1 and clients that call it over real sockets. */
final class TlsPeers {
  private TlsPeers() {}

  /** A health server that records the caller identity each call saw. */
  static final class TestServer implements AutoCloseable {
    final Server server;
    final List<Identity> callers = new CopyOnWriteArrayList<>();

    TestServer(ServerCredentials credentials, ServerInterceptor callers) throws IOException {
      ServerInterceptor record = new ServerInterceptor() {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
          TestServer.this.callers.add(Callers.current());
          return next.startCall(call, headers);
        }
      };
      HealthStatusManager health = new HealthStatusManager();
      server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), credentials)
          .addService(ServerInterceptors.intercept(health.getHealthService(), record, callers))
          .build().start();
    }

    TestServer(Transport t) throws IOException {
      this(t.serverCredentials(), t.callers());
    }

    int port() {
      return server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
      server.shutdownNow();
      server.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** A channel that remembers the TLS session of its last call. */
  static final class Client implements AutoCloseable {
    final ManagedChannel channel;
    final AtomicReference<SSLSession> session = new AtomicReference<>();

    Client(String target, ChannelCredentials credentials) {
      ClientInterceptor capture = new ClientInterceptor() {
        @Override
        public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options,
            Channel next) {
          return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<A> listener, Metadata headers) {
              ClientCall<Q, A> call = this;
              super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                @Override
                public void onHeaders(Metadata h) {
                  session.set(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
                  super.onHeaders(h);
                }
              }, headers);
            }
          };
        }
      };
      channel = NettyChannelBuilder.forTarget(target, credentials).intercept(capture).build();
    }

    /** One health check, with a deadline. */
    ServingStatus check() {
      return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }

    /** The serial number of the certificate the server presented on the last call. */
    BigInteger serverSerial() throws SSLPeerUnverifiedException {
      return ((X509Certificate) session.get().getPeerCertificates()[0]).getSerialNumber();
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** One health check on a new channel. */
  static ServingStatus checkOnce(String target, ChannelCredentials credentials) throws InterruptedException {
    try (Client c = new Client(target, credentials)) {
      return c.check();
    }
  }
}
