package io.groupsnap.cli.doctor;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.config.ConfigException;
import io.groupsnap.agent.config.ConfigLoader;
import io.groupsnap.agent.export.ExportTargetConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Each export target through the checks the agent's configuration validation makes (the restic password file's
 * permissions, restic installed, exec commands executable), plus {@code restic version} so the report shows which
 * restic the agent would run.
 */
final class ExportChecks {
  static final Duration VERSION_TIMEOUT = Duration.ofSeconds(10);

  private final HostProbe host;

  ExportChecks(HostProbe host) {
    this.host = host;
  }

  List<Finding> check(AgentConfig config, Path source) {
    List<Finding> out = new ArrayList<>();
    for (ExportTargetConfig t : config.exports().targets()) {
      String subject = t.name() + " (" + t.kind() + ")";
      try {
        ConfigLoader.checkExportTarget(source.toString(), t, host.commands());
      } catch (ConfigException e) {
        out.add(Finding.fail("export", subject, e.getMessage()));
        continue;
      }
      out.add(t instanceof ExportTargetConfig.Restic ? restic(subject)
          : Finding.ok("export", subject, "its commands are executable"));
    }
    return out;
  }

  private Finding restic(String subject) {
    CommandRunner commands = host.commands();
    Path restic = commands.which("restic").orElseThrow();
    try {
      CommandRunner.Result r = commands.run(List.of(restic.toString(), "version"), VERSION_TIMEOUT);
      if (!r.ok()) {
        return Finding.fail("export", subject, restic + " version failed: " + r.lastLine());
      }
      String first = r.stdout().strip().lines().findFirst().orElse("");
      return Finding.ok("export", subject, first + " (" + restic + "); password file private");
    } catch (IOException e) {
      return Finding.fail("export", subject, restic + " cannot be run: " + e.getMessage());
    }
  }
}
