package io.groupsnap.it;

import io.groupsnap.common.tls.CertAuthority;
import io.groupsnap.common.tls.Pem;
import io.groupsnap.common.tls.PeerCheck;
import io.groupsnap.common.tls.Role;
import io.groupsnap.common.tls.TlsException;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.ClusterStatusRequest;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.ListSnapshotsRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * What certificates a new connection presents, seen from a test: the server's certificate of a fresh TLS 1.3
 * handshake ({@link #serverSerial}), and both ends' certificates of a fresh gRPC hop made with a process's own
 * {@link Transport} ({@link #hop}). Rotation tests watch these instead of sleeping.
 */
final class TlsHops {
  private TlsHops() {}

  /** The serial numbers of the two ends of one TLS session: what this side presented and what its peer did. */
  record Ends(BigInteger local, BigInteger peer) { }

  /** The serial of the first certificate in a PEM file. */
  static BigInteger serialOf(Path certFile) throws TlsException {
    return Pem.readCertificates("cert file", certFile).get(0).getSerialNumber();
  }

  /**
   * The serial of the certificate the server at {@code host:port} presents to a new connection, dialled with
   * {@code client} (a certificate of an authority it trusts) and trusting {@code authority}.
   */
  static BigInteger serverSerial(String host, int port, CertAuthority.Issued client, X509Certificate authority)
      throws IOException, GeneralSecurityException {
    try (SSLSocket s = (SSLSocket) context(client, authority).getSocketFactory().createSocket()) {
      s.connect(new InetSocketAddress(host, port), 10_000);
      s.setSoTimeout(10_000);
      SSLParameters p = s.getSSLParameters();
      p.setProtocols(new String[] {"TLSv1.3"});
      p.setApplicationProtocols(new String[] {"h2"});
      s.setSSLParameters(p);
      s.startHandshake();
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  private static SSLContext context(CertAuthority.Issued client, X509Certificate authority)
      throws IOException, GeneralSecurityException {
    char[] none = new char[0];
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("me", client.key(), none, new Certificate[] {client.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, none);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", authority);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  /**
   * A new connection from {@code transport} (a client's, or the coordinator's own) to the coordinator at
   * {@code target}, one ClusterStatus call on it, and the certificates of its TLS session.
   */
  static Ends toCoordinator(Transport transport, String target) {
    return hop(transport, target, PeerCheck.role(Role.COORDINATOR), ch ->
        CoordinatorServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
            .clusterStatus(ClusterStatusRequest.getDefaultInstance()));
  }

  /** A new connection from {@code transport} to agent {@code agentId} at {@code target}, one ListSnapshots call. */
  static Ends toAgent(Transport transport, String agentId, String target) {
    return hop(transport, target, PeerCheck.identity(agentId, Role.AGENT), ch ->
        AgentServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
            .listSnapshots(ListSnapshotsRequest.getDefaultInstance()));
  }

  private static Ends hop(Transport transport, String target, PeerCheck check,
      java.util.function.Consumer<Channel> call) {
    AtomicReference<SSLSession> session = new AtomicReference<>();
    ManagedChannel ch = NettyChannelBuilder.forTarget(target, transport.channelCredentials(check)).build();
    try {
      call.accept(ClientInterceptors.intercept(ch, sessionOf(session)));
      SSLSession s = session.get();
      if (s == null) {
        throw new AssertionError("the call to " + target + " carried no TLS session");
      }
      return new Ends(serial(s.getLocalCertificates()), serial(peer(s)));
    } finally {
      ch.shutdownNow();
    }
  }

  private static Certificate[] peer(SSLSession s) {
    try {
      return s.getPeerCertificates();
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      throw new AssertionError("the peer presented no certificate", e);
    }
  }

  private static BigInteger serial(Certificate[] chain) {
    if (chain == null || chain.length == 0) {
      throw new AssertionError("no certificate in the session");
    }
    return ((X509Certificate) chain[0]).getSerialNumber();
  }

  /** Records the TLS session of each call it sees once the call closed. */
  private static ClientInterceptor sessionOf(AtomicReference<SSLSession> into) {
    return new ClientInterceptor() {
      @Override
      public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        ClientCall<Q, A> call = next.newCall(method, options);
        return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
          @Override
          public void start(Listener<A> listener, Metadata headers) {
            super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
              @Override
              public void onClose(Status status, Metadata trailers) {
                into.set(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
                super.onClose(status, trailers);
              }
            }, headers);
          }
        };
      }
    };
  }
}
