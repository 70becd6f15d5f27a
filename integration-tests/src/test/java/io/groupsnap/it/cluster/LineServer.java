package io.groupsnap.it.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP server of the harness's workload process that answers one line with one line, each connection on its own
 * daemon thread: the workload's peer port (credits between hosts) and its control port (the exec writer's hook).
 */
final class LineServer implements AutoCloseable {
  /** Answers one command line; the answer is sent as one line. */
  @FunctionalInterface
  interface Handler {
    String answer(String line) throws Exception;
  }

  private final ServerSocket server;
  private final ExecutorService connections;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final java.util.Set<Socket> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private LineServer(ServerSocket server, String name) {
    this.server = server;
    AtomicLong n = new AtomicLong();
    this.connections = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "workload-" + name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Binds {@code at} and serves it until closed. */
  static LineServer start(InetSocketAddress at, Handler handler, String name) throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(at, 64);
    LineServer s = new LineServer(socket, name);
    s.connections.execute(() -> s.accept(handler, name));
    return s;
  }

  private void accept(Handler handler, String name) {
    while (!closed.get()) {
      try {
        Socket s = server.accept();
        open.add(s);
        connections.execute(() -> {
          try {
            converse(s, handler);
          } finally {
            open.remove(s);
          }
        });
      } catch (IOException e) {
        if (!closed.get()) {
          System.out.println(name + ": accept failed: " + e);
        }
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return;
      }
    }
  }

  private static void converse(Socket s, Handler handler) {
    try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
        StandardCharsets.US_ASCII)); Writer out = new OutputStreamWriter(s.getOutputStream(),
        StandardCharsets.US_ASCII)) {
      String line;
      while ((line = in.readLine()) != null) {
        String answer;
        try {
          answer = handler.answer(line);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          answer = "error " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        out.write(answer.replace('\n', ' ') + "\n");
        out.flush();
      }
    } catch (IOException e) {
      // the peer went away; it retries
    }
  }

  /**
   * Stops accepting, drops the open connections and waits (a few seconds at most) for the commands being answered, so
   * that nothing a handler does happens after this returns. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    connections.shutdownNow();
    try {
      connections.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
