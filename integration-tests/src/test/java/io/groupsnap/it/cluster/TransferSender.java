package io.groupsnap.it.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Delivers one {@link WorkloadNode}'s debits to one peer as {@code credit ID AMOUNT FROM} lines over one connection,
 * in order, retrying each until the peer answers {@code ok} (the peer credits each transfer id once, so a retry after
 * a lost answer is harmless). A peer that is cut off, paused or down leaves its transfers in flight.
 *
 * <p>Runs on its own thread ({@link #run()}); {@link #add} and the counters are thread-safe.
 */
final class TransferSender implements Runnable {
  private final int peer;
  private final String address;
  private final int port;
  private final int from;
  private final BooleanSupplier closed;
  private final LinkedBlockingQueue<LedgerAccount.Debit> queue = new LinkedBlockingQueue<>();
  private final AtomicLong acked = new AtomicLong();
  private volatile boolean delivering;
  private Socket socket;
  private BufferedReader in;
  private Writer out;

  TransferSender(int peer, String address, int port, int from, BooleanSupplier closed) {
    this.peer = peer;
    this.address = address;
    this.port = port;
    this.from = from;
    this.closed = closed;
  }

  int peer() {
    return peer;
  }

  void add(LedgerAccount.Debit d) {
    queue.add(d);
  }

  /** Transfers not yet acknowledged by the peer. */
  long pending() {
    return queue.size() + (delivering ? 1 : 0);
  }

  long acked() {
    return acked.get();
  }

  @Override
  public void run() {
    while (!closed.getAsBoolean()) {
      LedgerAccount.Debit d;
      try {
        d = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (d == null) {
        continue;
      }
      delivering = true;
      while (!closed.getAsBoolean() && !deliver(d)) {
        disconnect();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // back off before trying this peer again
      }
      delivering = false;
    }
    disconnect();
  }

  private boolean deliver(LedgerAccount.Debit d) {
    try {
      if (socket == null) {
        socket = new Socket();
        socket.connect(new InetSocketAddress(address, port), 500);
        socket.setSoTimeout(3_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII);
      }
      out.write("credit " + d.id() + " " + d.amount() + " " + from + "\n");
      out.flush();
      if ("ok".equals(in.readLine())) {
        acked.incrementAndGet();
        return true;
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  private void disconnect() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      socket = null;
    }
  }
}
