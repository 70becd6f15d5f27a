package io.groupsnap.it.cluster;

import io.groupsnap.devkit.workload.HeaderCountWorkload;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * The application of one simulated host, run by {@link WorkloadProcess} as its own JVM in the host's namespace (so
 * that the agent can be killed while the application keeps holding until its lease deadline), from the state its
 * volume holds when it starts (after an in-place restore: the restored cut's):
 *
 * <ul>
 *   <li>{@link HeaderCountWorkload} on the host's volume;
 *   <li>this host's {@link LedgerAccount}, with transfers to the other hosts over TCP on their 198.18 addresses: the
 *       debit is logged first, the peer applies the credit exactly once per transfer id, and a transfer that cannot
 *       be delivered stays in flight and is retried;
 *   <li>the writer protocol ({@link HoldKeeper}), {@link #control}: {@code ping}, {@code freeze DEADLINE_MILLIS TXN},
 *       {@code thaw TXN}, {@code abort TXN}, served by the process on its control port.
 * </ul>
 *
 * <p>The peer port also answers {@code ping}, {@code stats} and the fault {@code slow-freeze MILLIS} (answer each
 * freeze that much later, holding meanwhile) for the test, which runs in the root namespace.
 * Arguments: {@code index=I hosts=1@ADDR,2@ADDR,... volume=DIR holds=FILE [peerPort=P] [controlPort=P]}.
 */
public final class WorkloadNode implements AutoCloseable {
  public static final int PEER_PORT = 7500;
  public static final int CONTROL_PORT = 7501;
  /** Transfer ids of host I are {@code I * ID_BLOCK + n}: unique across hosts and restarts. */
  static final long ID_BLOCK = 1_000_000_000L;
  private static final int MAX_PENDING_PER_PEER = 256;
  private static final Pattern TXN = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  private static final Pattern NUMBER = Pattern.compile("[0-9]{1,18}");

  /** Parsed command line. */
  record Options(int index, Map<Integer, String> hosts, Path volume, Path holds, int peerPort, int controlPort) {
    static Options parse(String[] args) {
      Map<String, String> kv = new LinkedHashMap<>();
      for (String a : args) {
        int eq = a.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("argument '" + a + "' is not key=value");
        }
        kv.put(a.substring(0, eq), a.substring(eq + 1));
      }
      Map<Integer, String> hosts = new LinkedHashMap<>();
      for (String h : require(kv, "hosts").split(",")) {
        String[] f = h.split("@", 2);
        hosts.put(Integer.parseInt(f[0]), f[1]);
      }
      int index = Integer.parseInt(require(kv, "index"));
      if (!hosts.containsKey(index) || hosts.size() < 2) {
        throw new IllegalArgumentException("hosts must list this host (" + index + ") and at least one peer");
      }
      return new Options(index, hosts, Path.of(require(kv, "volume")), Path.of(require(kv, "holds")),
          Integer.parseInt(kv.getOrDefault("peerPort", Integer.toString(PEER_PORT))),
          Integer.parseInt(kv.getOrDefault("controlPort", Integer.toString(CONTROL_PORT))));
    }

    private static String require(Map<String, String> kv, String key) {
      String v = kv.get(key);
      if (v == null) {
        throw new IllegalArgumentException("missing argument " + key + "=...");
      }
      return v;
    }
  }

  private final Options options;
  private final String self;
  private final HeaderCountWorkload headers;
  private final LedgerAccount account;
  private final HoldKeeper keeper;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("lease-timer"));
  private final Map<Integer, TransferSender> senders = new LinkedHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile LineServer peerServer;
  private final AtomicLong counter = new AtomicLong();
  private final AtomicLong debits = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();

  WorkloadNode(Options options) throws IOException {
    this.options = options;
    this.self = name(options.index());
    headers = new HeaderCountWorkload(Map.of(self, options.volume()));
    account = new LedgerAccount(options.volume());
    keeper = new HoldKeeper(List.of(headers.gate(self), account.gate()), new HoldsFile(options.holds()), timer);
    counter.set(Math.max(0, account.maxRecoveredDebitId() - options.index() * ID_BLOCK));
    options.hosts().forEach((i, addr) -> {
      if (i != options.index()) {
        senders.put(i, new TransferSender(i, addr, options.peerPort(), options.index(), closed::get));
      }
    });
    for (LedgerAccount.Debit d : account.recoveredDebits()) {
      TransferSender s = senders.get(peerIndex(d.peer()));
      if (s != null) {
        s.add(d);
      }
    }
  }

  /** How many debits this node found in flight when it started (it sends them again). */
  int recoveredDebits() {
    return account.recoveredDebits().size();
  }

  static String name(int index) {
    return "agent-" + index;
  }

  private static int peerIndex(String peer) {
    return Integer.parseInt(peer.substring(peer.lastIndexOf('-') + 1));
  }

  void start() throws IOException {
    headers.start();
    peerServer = LineServer.start(new InetSocketAddress(InetAddress.getByName(options.hosts().get(options.index())),
        options.peerPort()), this::peerCommand, "peer-server");
    senders.values().forEach(s -> thread(s, "sender-" + s.peer()));
    thread(this::transferLoop, "transfers");
  }

  // ---- commands ----

  private String peerCommand(String line) throws Exception {
    String[] f = line.split(" ");
    if (f.length == 4 && f[0].equals("credit") && NUMBER.matcher(f[1]).matches()
        && NUMBER.matcher(f[2]).matches() && NUMBER.matcher(f[3]).matches()) {
      account.credit(Long.parseLong(f[1]), Long.parseLong(f[2]), name(Integer.parseInt(f[3])));
      return "ok";
    }
    if (line.equals("ping")) {
      return "ok";
    }
    if (line.equals("stats")) {
      return stats();
    }
    if (line.equals("fail-thaw")) {
      keeper.failNextThaw();
      System.out.println("fault injected: the next thaw fails");
      return "ok";
    }
    if (f.length == 2 && f[0].equals("slow-freeze") && NUMBER.matcher(f[1]).matches()) {
      keeper.slowFreezeAnswers(Long.parseLong(f[1]));
      System.out.println("fault injected: freeze answers " + f[1] + "ms late");
      return "ok";
    }
    return "error unknown command";
  }

  /** The exec writer hook's commands (see the class comment). */
  String control(String[] f) throws Exception {
    if (f.length == 1 && f[0].equals("ping")) {
      return "ok";
    }
    if (f.length == 3 && f[0].equals("freeze") && NUMBER.matcher(f[1]).matches() && TXN.matcher(f[2]).matches()) {
      return keeper.freeze(Long.parseLong(f[1]), f[2]);
    }
    if (f.length == 2 && f[0].equals("thaw") && TXN.matcher(f[1]).matches()) {
      return keeper.thaw(f[1]);
    }
    if (f.length == 2 && f[0].equals("abort") && TXN.matcher(f[1]).matches()) {
      return keeper.abort(f[1]);
    }
    return "error malformed command";
  }

  String stats() {
    long pending = senders.values().stream().mapToLong(TransferSender::pending).sum();
    long acked = senders.values().stream().mapToLong(TransferSender::acked).sum();
    return String.format(Locale.ROOT, "stats updates=%d debits=%d acked=%d credits=%d pending=%d holds=%d holding=%b",
        headers.updates(), debits.get(), acked, account.credits(), pending, keeper.count(), keeper.holding());
  }

  // ---- transfers ----

  private void transferLoop() {
    SplittableRandom rnd = new SplittableRandom(options.index() * 7919L + System.nanoTime());
    List<TransferSender> peers = new ArrayList<>(senders.values());
    while (!closed.get()) {
      TransferSender to = peers.get(rnd.nextInt(peers.size()));
      if (to.pending() < MAX_PENDING_PER_PEER) {
        LedgerAccount.Debit d = new LedgerAccount.Debit(options.index() * ID_BLOCK + counter.incrementAndGet(),
            1 + rnd.nextInt(100), name(to.peer()));
        try {
          account.debit(d);
        } catch (InterruptedException | IOException e) {
          if (!closed.get()) {
            System.out.println("transfers stopped: " + e);
          }
          return;
        }
        debits.incrementAndGet();
        to.add(d);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }

  // ---- lifecycle ----

  private void thread(Runnable r, String name) {
    Thread t = daemon(name).newThread(r);
    threads.add(t);
    t.start();
  }

  private static ThreadFactory daemon(String name) {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, "workload-" + name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Releases any hold, stops the workloads and servers. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      keeper.releaseAll("shutdown");
      headers.close();
    } catch (IOException e) {
      System.out.println("while releasing: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    account.gate().open();
    LineServer peers = peerServer;
    if (peers != null) {
      peers.close();
    }
    threads.forEach(Thread::interrupt);
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    timer.shutdownNow();
  }
}
