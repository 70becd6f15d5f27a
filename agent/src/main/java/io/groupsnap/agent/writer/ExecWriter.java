package io.groupsnap.agent.writer;

import io.groupsnap.agent.config.WriterConfig;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Writer kind {@code exec}: the application is driven by commands, one per phase.
 *
 * <p>Commands are argument vectors started directly, never through a shell, so names and paths in them cannot be
 * interpreted. The transaction is passed in the environment: {@code GROUPSNAP_PHASE}, {@code GROUPSNAP_TXN},
 * {@code GROUPSNAP_EPOCH}, {@code GROUPSNAP_VOLUMES} (comma separated) and, at freeze,
 * {@code GROUPSNAP_LEASE_DEADLINE_MILLIS} (epoch millis by which the application must release by itself). Exit 0 is
 * OK, an exit code listed in {@code retryableExitCodes} is RETRYABLE, anything else — including a timeout — is
 * NON_RETRYABLE for prepare and freeze. Output goes to {@code <stateDir>/writers/<name>.log}.
 */
public final class ExecWriter implements Writer {
  private final WriterConfig config;
  private final Path log;

  /** Kind {@code exec}. */
  public static final io.groupsnap.agent.kinds.WriterKind KIND = new io.groupsnap.agent.kinds.WriterKind() {
    @Override
    public String name() {
      return "exec";
    }

    @Override
    public Set<String> options() {
      return Set.of();
    }

    @Override
    public void validate(WriterConfig w, io.groupsnap.agent.kinds.KindContext context)
        throws io.groupsnap.agent.kinds.KindException {
      if (w.freeze().isEmpty()) {
        throw new io.groupsnap.agent.kinds.KindException("freeze", "is required");
      }
      if (w.thaw().isEmpty()) {
        throw new io.groupsnap.agent.kinds.KindException("thaw", "is required");
      }
    }

    @Override
    public Writer create(WriterConfig w, io.groupsnap.agent.kinds.KindContext context) {
      return new ExecWriter(w, context.stateDir());
    }
  };

  public ExecWriter(WriterConfig config, Path stateDir) {
    this.config = config;
    this.log = stateDir.resolve("writers").resolve(config.name() + ".log");
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public String kind() {
    return "exec";
  }

  @Override
  public int tier() {
    return config.tier();
  }

  @Override
  public Set<String> volumes() {
    return config.volumes();
  }

  @Override
  public WriterResult prepare(TxnContext txn) {
    for (List<String> cmd : List.of(config.freeze(), config.thaw())) {
      File exe = new File(cmd.get(0));
      if (!exe.isFile() || !exe.canExecute()) {
        return WriterResult.nonRetryable("command " + exe + " does not exist or is not executable");
      }
    }
    return config.prepare().isEmpty() ? WriterResult.OK : run("prepare", config.prepare(), txn, Map.of());
  }

  @Override
  public WriterResult freeze(TxnContext txn, Instant leaseDeadline) {
    return run("freeze", config.freeze(), txn,
        Map.of("GROUPSNAP_LEASE_DEADLINE_MILLIS", Long.toString(leaseDeadline.toEpochMilli())));
  }

  @Override
  public WriterResult thaw(TxnContext txn) {
    return run("thaw", config.thaw(), txn, Map.of());
  }

  @Override
  public void abort(TxnContext txn) {
    if (!config.abort().isEmpty()) {
      run("abort", config.abort(), txn, Map.of());
    }
  }

  private WriterResult run(String phase, List<String> argv, TxnContext txn, Map<String, String> extraEnv) {
    ProcessBuilder pb = new ProcessBuilder(argv);
    Map<String, String> env = pb.environment();
    env.put("GROUPSNAP_PHASE", phase);
    env.put("GROUPSNAP_TXN", txn.txnId());
    env.put("GROUPSNAP_EPOCH", Long.toString(txn.epoch()));
    env.put("GROUPSNAP_VOLUMES", String.join(",", txn.volumes()));
    env.putAll(extraEnv);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p;
    try {
      Files.createDirectories(log.getParent());
      pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      p = pb.start();
    } catch (IOException e) {
      return WriterResult.nonRetryable(phase + " command " + argv.get(0) + " could not start: " + e.getMessage());
    }
    Duration timeout = config.timeout();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return WriterResult.nonRetryable(phase + " command timed out after " + timeout.toMillis() + "ms (log " + log
            + ")");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return WriterResult.retryable(phase + " interrupted");
    }
    int code = p.exitValue();
    if (code == 0) {
      return WriterResult.OK;
    }
    String reason = phase + " command exited " + code + " (log " + log + ")";
    return config.retryableExitCodes().contains(code) ? WriterResult.retryable(reason)
        : WriterResult.nonRetryable(reason);
  }
}
