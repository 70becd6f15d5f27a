package io.groupsnap.common.tls;

import io.grpc.ChannelCredentials;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextServerCredentials;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Mutual TLS 1.3 over the PEM files of a {@link TlsFiles}, re-read when they change ({@link Reloading}). A server
 * requires a client certificate the trusted authority signed; a client checks that the server's certificate chains to
 * that authority and names the host dialled, then applies its {@link PeerCheck}. Both present the current certificate.
 *
 * <p>The JDK's TLS implementation is used on purpose (not OpenSSL): its refusals carry the causes that
 * {@link TlsFailures} turns into one line, and its key and trust managers are asked on every handshake, which is what
 * makes rotation without restart work.
 */
final class MutualTls implements Transport {
  static final String TLS13 = "TLSv1.3";

  private final Reloading material;
  private final SslContext server;

  private MutualTls(Reloading material) throws TlsException {
    this.material = material;
    try {
      server = GrpcSslContexts.configure(SslContextBuilder.forServer(new ReloadingKeyManager(material)),
              SslProvider.JDK)
          .trustManager(new PeerTrustManager(material, null))
          .clientAuth(ClientAuth.REQUIRE)
          .protocols(TLS13)
          .build();
    } catch (SSLException e) {
      throw new TlsException("cannot set up TLS 1.3: " + Pem.firstLine(e), e);
    }
  }

  /** Loads and checks {@code files}; looks at them again every {@code reloadEvery} (never when zero). */
  static MutualTls start(TlsFiles files, Duration reloadEvery, Clock clock) throws TlsException {
    Reloading material = Reloading.start(files, reloadEvery, clock);
    try {
      return new MutualTls(material);
    } catch (TlsException | RuntimeException e) {
      material.close();
      throw e;
    }
  }

  @Override
  public boolean secure() {
    return true;
  }

  @Override
  public Identity identity() {
    return Identity.of(material.current().certificate());
  }

  /** This process's current certificate. */
  X509Certificate certificate() {
    return material.current().certificate();
  }

  /** Looks at the files now rather than at the next poll. */
  Reloading.Outcome reloadNow() {
    return material.reload();
  }

  @Override
  public ServerCredentials serverCredentials() {
    return NettySslContextServerCredentials.create(server);
  }

  @Override
  public ChannelCredentials channelCredentials(PeerCheck check) {
    try {
      return NettySslContextChannelCredentials.create(
          GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
              .keyManager(new ReloadingKeyManager(material))
              .trustManager(new PeerTrustManager(material, check == null ? PeerCheck.ANY : check))
              .protocols(TLS13)
              .build());
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up a TLS 1.3 client: " + Pem.firstLine(e), e);
    }
  }

  @Override
  public ServerInterceptor callers() {
    return new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
          ServerCallHandler<Q, A> next) {
        return Contexts.interceptCall(Callers.with(caller(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION))),
            call, headers, next);
      }
    };
  }

  /** The identity of the certificate a TLS session's peer presented; {@link Identity#NOBODY} without one. */
  static Identity caller(SSLSession session) {
    if (session == null) {
      return Identity.NOBODY;
    }
    try {
      Certificate[] peer = session.getPeerCertificates();
      return peer.length > 0 && peer[0] instanceof X509Certificate x ? Identity.of(x) : Identity.NOBODY;
    } catch (SSLPeerUnverifiedException e) {
      return Identity.NOBODY;
    }
  }

  @Override
  public void close() {
    material.close();
  }
}
