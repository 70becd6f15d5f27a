package io.groupsnap.coordinator.groupcheck;

import io.groupsnap.common.Daemons;
import io.groupsnap.proto.v1.GroupCheck;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.Verification;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test restore's group check on this (the leader's) host: the configured argument vector started directly, no
 * shell, with {@code {paths}} expanded to one {@code AGENT:VOLUME=PATH} argument per member (the path is the member's
 * scratch copy on its agent's host: the command is responsible for reaching it). Exit 0 within the timeout is
 * VERIFIED; anything else FAILED with one line saying why: the first line of its output, else its exit code, else the
 * timeout (it is killed, with its descendants). Its output (stdout and stderr together) is kept as a tail of at most
 * {@link #TAIL} bytes. Each check runs on a thread of its own ("groupsnap-group-check"), so a slow check delays no
 * other restore; {@link #close} kills checks still running. Thread-safe.
 */
public final class GroupCheckRunner implements AutoCloseable {
  /** How much of a check's output is kept. */
  public static final int TAIL = 2048;
  private static final int HEAD = 4096;

  private final ExecutorService threads = Executors.newCachedThreadPool(Daemons.named("groupsnap-group-check"));

  /**
   * Runs {@code check} over {@code members} (each one's agent, volume and scratch path).
   *
   * @param env extra environment (GROUPSNAP_GROUP_SNAPSHOT_ID, GROUPSNAP_GROUP), names to values
   * @return the check's result; never fails
   */
  public CompletableFuture<GroupCheck> run(GroupChecks.Check check, List<MemberRestore> members,
      java.util.Map<String, String> env) {
    List<String> paths = members.stream().map(m -> m.getAgentId() + ":" + m.getVolume() + "=" + m.getPath())
        .toList();
    List<String> argv = check.expand(paths);
    return CompletableFuture.supplyAsync(() -> execute(check, argv, env), threads);
  }

  private GroupCheck execute(GroupChecks.Check check, List<String> argv, java.util.Map<String, String> env) {
    long t0 = System.nanoTime();
    GroupCheck.Builder out = GroupCheck.newBuilder().setConfigKey(check.key());
    String name = "group check " + check.key() + ": ";
    Process p;
    try {
      ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.environment().put("LC_ALL", "C");
      pb.environment().putAll(env);
      p = pb.start();
    } catch (IOException | RuntimeException e) {
      return out.setVerification(Verification.VERIFICATION_FAILED).setReason(name + "cannot start "
          + argv.get(0) + ": " + oneLine(e.getMessage())).setDurationMillis(millis(t0)).build();
    }
    Output output = new Output();
    CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> output.drain(p.getInputStream()), threads);
    boolean finished;
    try {
      finished = p.waitFor(check.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      kill(p);
      Thread.currentThread().interrupt();
      return out.setRan(true).setVerification(Verification.VERIFICATION_FAILED).setReason(name + "interrupted")
          .setDurationMillis(millis(t0)).build();
    }
    if (!finished) {
      kill(p);
    }
    try {
      drained.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // a descendant still holds the output open; what was read is kept
    }
    out.setRan(true).setOutputTail(output.tail()).setDurationMillis(millis(t0));
    if (finished && p.exitValue() == 0) {
      return out.setVerification(Verification.VERIFIED).build();
    }
    String why = !finished ? "timed out after " + io.groupsnap.common.Durations.format(check.timeout())
        : output.firstLine().isEmpty() ? "exit code " + p.exitValue() : output.firstLine();
    return out.setVerification(Verification.VERIFICATION_FAILED).setReason(name + why).build();
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  private static long millis(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  static String oneLine(String s) {
    return s == null ? "failed" : s.replaceAll("\\s+", " ").strip();
  }

  /** A command's output: its first bytes (for the first line) and its last {@link #TAIL} bytes. */
  private static final class Output {
    private final byte[] head = new byte[HEAD];
    private int headLength;
    private byte[] tail = new byte[0];

    void drain(InputStream in) {
      byte[] buf = new byte[8192];
      try (in) {
        for (int n; (n = in.read(buf)) > 0; ) {
          add(buf, n);
        }
      } catch (IOException e) {
        // the process is gone; what was read is kept
      }
    }

    private synchronized void add(byte[] buf, int n) {
      int h = Math.min(n, HEAD - headLength);
      System.arraycopy(buf, 0, head, headLength, h);
      headLength += h;
      byte[] joined = Arrays.copyOf(tail, tail.length + n);
      System.arraycopy(buf, 0, joined, tail.length, n);
      tail = joined.length > TAIL ? Arrays.copyOfRange(joined, joined.length - TAIL, joined.length) : joined;
    }

    synchronized String tail() {
      return new String(tail, StandardCharsets.UTF_8);
    }

    /** The first non-blank line, cut to 300 characters. */
    synchronized String firstLine() {
      for (String line : new String(head, 0, headLength, StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          String l = line.strip();
          return l.length() > 300 ? l.substring(0, 300) + "..." : l;
        }
      }
      return "";
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
