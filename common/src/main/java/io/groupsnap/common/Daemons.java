package io.groupsnap.common;

import io.grpc.Server;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/** Named daemon threads and orderly server stops, as every groupsnap process uses them. */
public final class Daemons {
  private Daemons() {}

  /** A factory of daemon threads all named {@code name} (one thread per executor, as groupsnap uses them). */
  public static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Stops a gRPC server: shutdown, up to five seconds for calls in flight, then shutdownNow. Null is fine. */
  public static void stop(Server server) {
    if (server == null) {
      return;
    }
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
