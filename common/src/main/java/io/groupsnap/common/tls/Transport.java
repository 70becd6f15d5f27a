package io.groupsnap.common.tls;

import io.grpc.ChannelCredentials;
import io.grpc.Contexts;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import java.time.Clock;
import java.time.Duration;

/**
 * How a process speaks gRPC over TCP: mutual TLS with reloaded PEM material ({@link #tls}), or — only when the
 * operator said {@code insecure} — plaintext. Servers build on {@link #serverCredentials()} and add
 * {@link #callers()} so that handlers find the caller in {@link Callers#current()}; clients dial with
 * {@link #channelCredentials(PeerCheck)}.
 */
public interface Transport extends AutoCloseable {
  /** Whether calls are authenticated (mutual TLS). */
  boolean secure();

  /** Credentials for a server: mutual TLS (a client certificate from the trusted authority required), or plaintext. */
  ServerCredentials serverCredentials();

  /** Credentials for a client channel whose server must satisfy {@code check} (plaintext ignores it). */
  ChannelCredentials channelCredentials(PeerCheck check);

  /**
   * Who this process is to its peers: its current certificate's identity ({@link Identity#of}), or
   * {@link Identity#INSECURE} on plaintext. An agent can check at start that it is the agent its id names.
   */
  default Identity identity() {
    return Identity.INSECURE;
  }

  /** The interceptor that puts the caller's identity into each call's context. */
  ServerInterceptor callers();

  /** Stops reloading the material. */
  @Override
  void close();

  /**
   * Mutual TLS 1.3 with the PEM material of {@code files}, checked now (a one-line {@link TlsException} naming the
   * file and the problem) and re-read every {@code reloadEvery} when it changed (never when zero): new handshakes use
   * the new material, established connections keep theirs, and new files that fail a check are logged once and not
   * used. {@link #close()} stops the reloading.
   *
   * <p>Clients: {@code NettyChannelBuilder.forTarget(target, transport.channelCredentials(check))}. Servers:
   * {@code NettyServerBuilder.forAddress(address, transport.serverCredentials()).intercept(transport.callers())}.
   */
  static Transport tls(TlsFiles files, Duration reloadEvery) throws TlsException {
    return MutualTls.start(files, reloadEvery, Clock.systemUTC());
  }

  /** Plaintext, every caller {@link Identity#INSECURE}. */
  static Transport insecure() {
    return Insecure.INSTANCE;
  }

  /** The plaintext transport. */
  final class Insecure implements Transport {
    static final Insecure INSTANCE = new Insecure();

    private Insecure() {}

    @Override
    public boolean secure() {
      return false;
    }

    @Override
    public ServerCredentials serverCredentials() {
      return InsecureServerCredentials.create();
    }

    @Override
    public ChannelCredentials channelCredentials(PeerCheck check) {
      return InsecureChannelCredentials.create();
    }

    @Override
    public ServerInterceptor callers() {
      return new ServerInterceptor() {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
          return Contexts.interceptCall(Callers.with(Identity.INSECURE), call, headers, next);
        }
      };
    }

    @Override
    public void close() {}
  }
}
