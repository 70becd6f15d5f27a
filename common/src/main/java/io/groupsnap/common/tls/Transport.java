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

  /** The interceptor that puts the caller's identity into each call's context. */
  ServerInterceptor callers();

  /** Stops reloading the material. */
  @Override
  void close();

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
