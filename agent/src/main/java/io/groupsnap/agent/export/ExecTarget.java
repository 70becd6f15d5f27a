package io.groupsnap.agent.export;

import io.groupsnap.common.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Export kind {@code exec}: the operator's own command (borg, rsync, rclone, ...) run once per capture, without a
 * shell: each placeholder is replaced inside its own argument ({@link io.groupsnap.agent.volume.ArgvTemplate}), so a
 * value with spaces or ';' stays one argument. The command runs in the capture's directory when the capture is one.
 * It succeeds with exit code 0; the last non-empty line it prints is the repository snapshot id (empty when it prints
 * nothing). Its {@code forget} command, when configured, is run once per capture the run exported, with {@code {id}}
 * that id.
 */
public final class ExecTarget implements ExportTarget {
  private final ExportTargetConfig.Exec config;
  private final ToolLedger ledger;

  public ExecTarget(ExportTargetConfig.Exec config) {
    this(config, ToolLedger.NONE);
  }

  /** @param ledger where each command is written down while it runs ({@link ToolLedger}) */
  public ExecTarget(ExportTargetConfig.Exec config, ToolLedger ledger) {
    this.ledger = ledger;
    this.config = config;
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public String kind() {
    return ExportTargetConfig.Exec.KIND;
  }

  @Override
  public Result export(Job job, Progress progress) throws ExportException, InterruptedException {
    List<String> argv = config.command().expand(Map.of("path", job.capture().toString(), "group", job.group(), "run",
        job.runId(), "agent", job.agentId(), "volume", job.volume(), "member", job.member(), "snapshot",
        job.groupSnapshotId()));
    Path dir = Files.isDirectory(job.capture(), LinkOption.NOFOLLOW_LINKS) ? job.capture() : null;
    ExportProcess.Outcome o = run(argv, dir, "export command");
    return new Result(0, 0, o.lastOutputLine());
  }

  @Override
  public int forget(Forget f, List<Exported> exported) throws ExportException, InterruptedException {
    if (config.forget() == null) {
      return 0;
    }
    int n = 0;
    for (Exported e : exported) {
      run(config.forget().expand(Map.of("run", f.runId(), "group", f.group(), "agent", f.agentId(), "volume",
          e.volume(), "member", f.agentId() + ":" + e.volume(), "snapshot", f.groupSnapshotId(), "id",
          e.repositorySnapshotId())), null, "forget command");
      n++;
    }
    return n;
  }

  private ExportProcess.Outcome run(List<String> argv, Path dir, String what)
      throws ExportException, InterruptedException {
    String exe = argv.get(0);
    if (!Files.isExecutable(Path.of(exe))) {
      throw new ExportException(what + " " + exe + " of export target " + config.name()
          + " does not exist or is not executable");
    }
    ExportProcess.Outcome o;
    try {
      o = ExportProcess.run(argv, dir, Map.of(), config.timeout(), line -> { }, ledger);
    } catch (IOException e) {
      throw new ExportException("cannot run " + what + " " + exe + ": " + e.getMessage());
    }
    if (o.timedOut()) {
      throw new ExportException(what + " " + exe + " timed out after " + Durations.format(config.timeout()));
    }
    if (!o.ok()) {
      throw new ExportException(what + " " + exe + " failed (exit code " + o.exitCode() + "): "
          + o.lastErrorLine());
    }
    return o;
  }
}
