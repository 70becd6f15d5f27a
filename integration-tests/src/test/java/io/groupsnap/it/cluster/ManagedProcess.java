package io.groupsnap.it.cluster;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One process of the cluster (a ZooKeeper server, a coordinator, an agent, a workload), started inside its host's
 * namespace, with its output appended to one log file across restarts. Supports what the fault tests need: kill -9,
 * restart, pause (SIGSTOP: a host that is alive but does not answer) and resume, graceful stop.
 *
 * <pre>
 *   NEW ──start──► RUNNING ──pause──► PAUSED ──resume──► RUNNING
 *                   │  ▲                 │
 *      kill / stop  │  └──── start ──────┼──── KILLED / STOPPED / EXITED (it ended by itself)
 *                   ▼                    ▼
 *              KILLED, STOPPED ◄─────────┘
 * </pre>
 *
 * <p>Thread-safe: every method is synchronized. {@link #kill} also kills the processes it had started (an agent's
 * writer hooks), by pid.
 */
public final class ManagedProcess {
  /** Lifecycle; EXITED is observed, not commanded: the process ended by itself. */
  public enum State {
    NEW, RUNNING, PAUSED, KILLED, STOPPED, EXITED;

    boolean canStart() {
      return this != RUNNING && this != PAUSED;
    }
  }

  private static final Set<State> LIVE = EnumSet.of(State.RUNNING, State.PAUSED);
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);

  private final String name;
  private final Netns host;
  private final List<String> command;
  private final Map<String, String> environment;
  private final Path log;
  private Process process;
  private State state = State.NEW;
  private int starts;
  private Instant lastChange = Instant.now();

  /**
   * @param command the argument vector, run inside {@code host}'s namespace
   * @param environment added to this JVM's environment
   */
  public ManagedProcess(String name, Netns host, List<String> command, Map<String, String> environment, Path log) {
    this.name = name;
    this.host = host;
    this.command = List.copyOf(command);
    this.environment = Map.copyOf(environment);
    this.log = log;
  }

  public String name() {
    return name;
  }

  public Netns host() {
    return host;
  }

  public Path log() {
    return log;
  }

  /** How many times it was started. */
  public synchronized int starts() {
    return starts;
  }

  /** The current state; a process that ended by itself is EXITED. */
  public synchronized State state() {
    if (LIVE.contains(state) && !process.isAlive()) {
      move(State.EXITED);
    }
    return state;
  }

  public synchronized boolean isAlive() {
    return LIVE.contains(state());
  }

  /** The pid of the current (or last) process; -1 before the first start. */
  public synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  /** Starts it (again); its output is appended to {@link #log()} after a marker line. */
  public synchronized ManagedProcess start() throws IOException {
    if (!state().canStart()) {
      throw new IllegalStateException(name + " is " + state + "; kill or stop it first");
    }
    Files.createDirectories(log.getParent());
    starts++;
    Files.writeString(log, "---- harness: start #" + starts + " of " + name + " in " + host + " at " + Instant.now()
        + " ----\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    ProcessBuilder pb = new ProcessBuilder(host.exec(command)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().putAll(environment);
    process = pb.start();
    move(State.RUNNING);
    return this;
  }

  /** kill -9: the process and everything it started end at once, with no chance to clean up. */
  public synchronized void kill() {
    if (!isAlive()) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    awaitExit(Duration.ofSeconds(10));
    move(State.KILLED);
  }

  /** Kills it (if it runs) and starts it again. */
  public synchronized void restart() throws IOException {
    kill();
    start();
  }

  /** SIGSTOP: the process stays alive and holds its sockets, but does nothing — a slow or hung host. */
  public synchronized void pause() {
    if (state() != State.RUNNING) {
      throw new IllegalStateException(name + " is " + state + ", not RUNNING");
    }
    signal("-STOP");
    move(State.PAUSED);
  }

  /** SIGCONT after {@link #pause()}. */
  public synchronized void resume() {
    if (state() != State.PAUSED) {
      throw new IllegalStateException(name + " is " + state + ", not PAUSED");
    }
    signal("-CONT");
    move(State.RUNNING);
  }

  /** SIGTERM (its shutdown hooks run), then kill -9 if it has not ended within 10 s. */
  public synchronized void stop() {
    if (!isAlive()) {
      return;
    }
    if (state == State.PAUSED) {
      signal("-CONT");
    }
    process.destroy();
    if (!awaitExit(STOP_WAIT)) {
      kill();
      return;
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    move(State.STOPPED);
  }

  /** The exit code once it has ended, else null. */
  public synchronized Integer exitCode() {
    return process != null && !process.isAlive() ? process.exitValue() : null;
  }

  /** The last {@code lines} lines of its log (reads at most the last 64 KiB). */
  public List<String> tail(int lines) {
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long len = f.length();
      long from = Math.max(0, len - 65_536);
      byte[] b = new byte[(int) (len - from)];
      f.seek(from);
      f.readFully(b);
      List<String> all = new ArrayList<>(Arrays.asList(new String(b, StandardCharsets.UTF_8).split("\n")));
      if (from > 0 && !all.isEmpty()) {
        all.remove(0);
      }
      return all.subList(Math.max(0, all.size() - lines), all.size());
    } catch (IOException e) {
      return List.of("(no log: " + e.getMessage() + ")");
    }
  }

  /** One line: name, host, state, pid, starts, exit code. */
  public synchronized String describe() {
    State s = state();
    Integer code = exitCode();
    return String.format("%-14s %-34s %-8s pid %-7d starts %d%s, since %s", name, host, s, pid(), starts,
        code == null ? "" : ", exit code " + code, lastChange);
  }

  private boolean awaitExit(Duration wait) {
    try {
      return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  private void signal(String signal) {
    Commands.check("kill", signal, Long.toString(process.pid()));
  }

  private void move(State to) {
    state = to;
    lastChange = Instant.now();
  }

  @Override
  public String toString() {
    return name;
  }
}
