package io.groupsnap.agent.verify;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.volume.CaptureTree;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A PostgreSQL server started on a scratch copy of a data directory, to see that the copy recovers and answers: the
 * {@code postgres} binary started directly (an argument vector, no shell, no {@code pg_ctl}), as the server's OS user
 * through {@code setpriv} when the agent is root. Everything that could reach beyond the copy is overridden on the
 * command line, which wins over the copy's own {@code postgresql.conf}: it listens on 127.0.0.1 and a fresh free port
 * only, its Unix socket lies in a private directory of its own (mode 700) with an {@code hba_file} there that admits
 * only that socket, archiving, WAL senders, synchronous standbys, SSL and the logging collector are off, and its log
 * goes to a file in that directory. {@code standby.signal}, {@code recovery.signal} and the copy's
 * {@code postmaster.pid} are removed first, so it starts as after a power cut and runs crash recovery. The copy is
 * written to (recovery, {@code fsync} off): it must be scratch.
 *
 * <p>{@link #close()} stops it (fast shutdown, then immediate, then killed with its children) and removes the private
 * directory; idempotent. Not thread-safe: one caller drives it.
 */
final class ThrowawayPostgres implements AutoCloseable {
  /** How long each shutdown mode is given before the next, harder one. */
  static final Duration STOP_WAIT = Duration.ofSeconds(30);
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
  private static final int PID_STATUS_LINE = 7;

  private final CommandRunner runner;
  private final Path dataDir;
  private final Path privateDir;
  private final Path logFile;
  private final List<String> asUser;
  private Process process;
  private int port;

  private ThrowawayPostgres(CommandRunner runner, Path dataDir, Path privateDir, List<String> asUser) {
    this.runner = runner;
    this.dataDir = dataDir;
    this.privateDir = privateDir;
    this.logFile = privateDir.resolve("server.log");
    this.asUser = asUser;
  }

  /**
   * Prepares the copy and its private directory (nothing is started yet).
   *
   * @param workRoot where the private directory is created
   * @param serverUser the OS user to run as when this process is root
   * @throws IOException when the copy or the directory cannot be prepared
   */
  static ThrowawayPostgres prepare(CommandRunner runner, Path dataDir, Path workRoot, String serverUser)
      throws IOException {
    Files.createDirectories(workRoot);
    Path dir = Files.createTempDirectory(workRoot, "groupsnap-pgverify-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    ThrowawayPostgres s = new ThrowawayPostgres(runner, dataDir, dir, List.of());
    try {
      for (String leftover : List.of("postmaster.pid", "standby.signal", "recovery.signal")) {
        Files.deleteIfExists(dataDir.resolve(leftover));
      }
      Files.writeString(dir.resolve("pg_hba.conf"), "local all all trust\n");
      Files.createFile(s.logFile);
      if (!isRoot()) {
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
        return s;
      }
      String gid = check(runner, List.of("id", "-g", "--", serverUser)).strip();
      List<String> asUser = List.of("setpriv", "--reuid=" + serverUser, "--regid=" + gid, "--init-groups", "--");
      Object owner = Files.getAttribute(dataDir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      String uid = check(runner, List.of("id", "-u", "--", serverUser)).strip();
      if (!String.valueOf(owner).equals(uid)) {
        check(runner, List.of("chown", "-R", "-h", serverUser + ":" + gid, "--", dataDir.toString()));
      }
      check(runner, List.of("chown", "-R", serverUser + ":" + gid, "--", dir.toString()));
      Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
      return new ThrowawayPostgres(runner, dataDir, dir, asUser);
    } catch (IOException | RuntimeException e) {
      CaptureTree.delete(dir);
      throw e;
    }
  }

  /**
   * Starts the server and waits until it accepts connections (crash recovery is done then) or {@code deadline}.
   *
   * @return empty when it is ready; else why not, one line (its last FATAL or PANIC line when it died)
   */
  Optional<String> start(String bin, long deadlineNanos, BooleanSupplier stop) throws IOException {
    for (int attempt = 0; ; attempt++) {
      port = freePort();
      List<String> argv = new ArrayList<>(asUser);
      argv.addAll(List.of(bin, "-D", dataDir.toString()));
      for (String setting : settings()) {
        argv.add("-c");
        argv.add(setting);
      }
      ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      pb.environment().put("LC_ALL", "C");
      process = pb.start();
      Optional<String> why = awaitReady(deadlineNanos, stop);
      if (why.isEmpty() || process.isAlive() || attempt == 2 || !log().contains("could not bind")) {
        return why;
      }
    }
  }

  private List<String> settings() {
    return List.of("listen_addresses=127.0.0.1", "port=" + port, "unix_socket_directories=" + privateDir,
        "unix_socket_permissions=0700", "hba_file=" + privateDir.resolve("pg_hba.conf"), "archive_mode=off",
        "max_wal_senders=0", "synchronous_standby_names=", "ssl=off", "logging_collector=off",
        "log_destination=stderr", "fsync=off", "cluster_name=groupsnap-verify");
  }

  private Optional<String> awaitReady(long deadlineNanos, BooleanSupplier stop) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    while (true) {
      try {
        if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
          return Optional.of("exited " + process.exitValue() + ": " + lastProblem());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of("interrupted while it started");
      }
      if (ready(pidFile)) {
        return Optional.empty();
      }
      if (stop.getAsBoolean()) {
        return Optional.of("the check was stopped (the agent is closing)");
      }
      if (System.nanoTime() - deadlineNanos > 0) {
        return Optional.of("it was not ready within the verify timeout (still recovering?): " + lastProblem());
      }
    }
  }

  /** Whether postmaster.pid names this process and says "ready" (what pg_ctl waits for). */
  private boolean ready(Path pidFile) {
    try {
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
      return lines.size() > PID_STATUS_LINE && lines.get(0).strip().equals(String.valueOf(process.pid()))
          && lines.get(PID_STATUS_LINE).strip().equals("ready");
    } catch (IOException | RuntimeException e) {
      return false; // not written yet, or half written
    }
  }

  /**
   * Runs {@code query} with {@code psql} over the private socket as {@code user} on {@code database}.
   *
   * @return what psql did; its output is the unaligned, tuples-only answer
   */
  CommandRunner.Result query(String psql, String user, String database, String query, Duration timeout)
      throws IOException {
    List<String> argv = new ArrayList<>(asUser);
    argv.addAll(List.of(psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", privateDir.toString(), "-p",
        String.valueOf(port), "-U", user, "-d", database, "-c", query));
    return runner.run(argv, timeout);
  }

  int port() {
    return port;
  }

  /** The server's log so far. */
  String log() {
    try {
      return Files.readString(logFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(the server log cannot be read: " + e.getMessage() + ")";
    }
  }

  /** The last FATAL or PANIC line of the log, else its last line. */
  String lastProblem() {
    List<String> lines = log().strip().lines().toList();
    for (int i = lines.size() - 1; i >= 0; i--) {
      String l = lines.get(i);
      int at = Math.max(l.indexOf("PANIC:"), l.indexOf("FATAL:"));
      if (at >= 0) {
        return l.substring(at).replaceAll("\\s+", " ").strip();
      }
    }
    return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1).strip();
  }

  /** Stops the server (fast, immediate, then killed with every descendant) and removes the private directory. */
  @Override
  public void close() throws IOException {
    try {
      if (process != null && process.isAlive()) {
        List<ProcessHandle> children = process.descendants().toList();
        if (!signal("INT") && !signal("QUIT")) {
          children.forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
          awaitExit(STOP_WAIT);
        }
      }
    } finally {
      CaptureTree.delete(privateDir);
    }
  }

  /** Sends {@code signal} to the postmaster; whether it exited within {@link #STOP_WAIT}. */
  private boolean signal(String signal) {
    try {
      runner.run(List.of("kill", "-s", signal, String.valueOf(process.pid())), TOOL_TIMEOUT);
    } catch (IOException e) {
      return false; // interrupted (the agent is closing) or no kill: the next mode, then killing, follows
    }
    return awaitExit(STOP_WAIT);
  }

  private boolean awaitExit(Duration wait) {
    try {
      return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  /** The postmaster's process id, while it runs. */
  Optional<ProcessHandle> handle() {
    return process == null ? Optional.empty() : Optional.of(process.toHandle());
  }

  private static String check(CommandRunner runner, List<String> argv) throws IOException {
    CommandRunner.Result r = runner.run(argv, TOOL_TIMEOUT);
    if (!r.ok()) {
      throw new IOException(argv.get(0) + " " + argv.get(1) + " failed: " + r.lastLine());
    }
    return r.stdout();
  }

  private static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    }
  }
}
