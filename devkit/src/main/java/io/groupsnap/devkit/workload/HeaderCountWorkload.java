package io.groupsnap.devkit.workload;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The header-count file: one application per volume that keeps rewriting {@code counted.dat}, whose fixed-size header
 * states the body's length and how many times the byte {@code 'x'} occurs in it. Each update writes the body first
 * and the header in a second write, with a little computation between, exactly as real applications tear: a copy
 * taken between the two writes holds a header that does not match its body.
 *
 * <p>It takes part as a writer through one {@link Gate} per volume: on freeze it finishes the update in progress and
 * holds.
 *
 * <p>It keeps nothing in memory that the file needs: every update rewrites the whole file. A workload built on a volume
 * that already holds the file (after an in-place restore, say) simply writes it anew and carries on.
 */
public final class HeaderCountWorkload implements AutoCloseable {
  public static final String FILE = "counted.dat";
  static final int HEADER = 32;

  private final Map<String, Path> files = new LinkedHashMap<>();
  private final Map<String, Gate> gates = new LinkedHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong updates = new AtomicLong();
  private volatile boolean running = true;

  /** @param volumes agent id to the directory of its volume */
  public HeaderCountWorkload(Map<String, Path> volumes) throws IOException {
    this(volumes, Gates.fresh(volumes.keySet()));
  }

  /**
   * A workload holding its writes through the given gates, which outlive it (a restart after an in-place restore
   * keeps the writer's gates).
   *
   * @param gates one per agent of {@code volumes}
   */
  HeaderCountWorkload(Map<String, Path> volumes, Map<String, Gate> gates) throws IOException {
    for (Map.Entry<String, Path> e : volumes.entrySet()) {
      Path f = e.getValue().resolve(FILE);
      files.put(e.getKey(), f);
      this.gates.put(e.getKey(), Gates.require(gates, e.getKey()));
      write(f, new SplittableRandom(e.getKey().hashCode()));
    }
  }

  public Gate gate(String agentId) {
    return gates.get(agentId);
  }

  public HeaderCountWorkload start() {
    for (String agent : files.keySet()) {
      Thread t = new Thread(() -> loop(agent), "workload-header-count-" + agent);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    return this;
  }

  public long updates() {
    return updates.get();
  }

  private void loop(String agent) {
    SplittableRandom rnd = new SplittableRandom(agent.hashCode() * 31L + 7);
    Path file = files.get(agent);
    Gate gate = gates.get(agent);
    while (running) {
      try {
        gate.enter();
      } catch (InterruptedException e) {
        return;
      }
      try {
        write(file, rnd);
        updates.incrementAndGet();
      } catch (IOException e) {
        return;
      } finally {
        gate.exit();
      }
      Gate.pauseMicros(200);
    }
  }

  private static void write(Path file, SplittableRandom rnd) throws IOException {
    int len = 2048 + rnd.nextInt(6144);
    byte[] body = new byte[len];
    int count = 0;
    for (int i = 0; i < len; i++) {
      boolean x = rnd.nextInt(4) == 0;
      body[i] = (byte) (x ? 'x' : 'a' + rnd.nextInt(20));
      count += x ? 1 : 0;
    }
    String header = String.format(Locale.ROOT, "COUNT=%08d LEN=%08d\n", count, len);
    header = header + " ".repeat(HEADER - header.length() - 1) + "\n";
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(HEADER);
      raf.write(body);
      raf.setLength(HEADER + len);
      Gate.pauseMicros(300);
      raf.seek(0);
      raf.write(header.getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** True when the file's header does not describe its body (or the file is unreadable or missing). */
  public static boolean isTorn(Path file) {
    try {
      byte[] all = Files.readAllBytes(file);
      if (all.length < HEADER) {
        return true;
      }
      String header = new String(all, 0, HEADER, StandardCharsets.US_ASCII);
      if (!header.startsWith("COUNT=") || header.indexOf(" LEN=") != 14) {
        return true;
      }
      int count = Integer.parseInt(header.substring(6, 14));
      int len = Integer.parseInt(header.substring(19, 27));
      if (all.length - HEADER != len) {
        return true;
      }
      int seen = 0;
      for (int i = HEADER; i < all.length; i++) {
        seen += all[i] == 'x' ? 1 : 0;
      }
      return seen != count;
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  /**
   * Stops the workload: every thread finishes the update in progress and ends. Its gates are left open.
   *
   * @return true when every thread has ended within {@code wait}: nothing writes to the volumes any more
   */
  public boolean stop(Duration wait) throws InterruptedException {
    running = false;
    gates.values().forEach(Gate::open);
    return Gates.join(threads, wait);
  }

  /** True when no thread of this workload runs (never started, or stopped). */
  public boolean terminated() {
    return threads.stream().noneMatch(Thread::isAlive);
  }

  @Override
  public void close() throws InterruptedException {
    stop(Duration.ofSeconds(5));
  }
}
