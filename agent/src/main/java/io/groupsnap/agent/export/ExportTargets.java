package io.groupsnap.agent.export;

import io.groupsnap.agent.command.CommandRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds the export targets of a configuration: each kind's target with the tools it runs found on this host. */
public final class ExportTargets {
  private ExportTargets() {}

  /**
   * @param stateDir the agent's state directory (restic's cache goes to {@code <stateDir>/restic-cache})
   */
  public static List<ExportTarget> create(ExportsConfig config, Path stateDir, CommandRunner tools) {
    return create(config, stateDir, tools, ToolLedger.NONE);
  }

  /** @param ledger where the targets write down the tools they run ({@link ToolLedger}) */
  public static List<ExportTarget> create(ExportsConfig config, Path stateDir, CommandRunner tools,
      ToolLedger ledger) {
    List<ExportTarget> out = new ArrayList<>();
    for (ExportTargetConfig c : config.targets()) {
      if (c instanceof ExportTargetConfig.Restic r) {
        out.add(new ResticTarget(r, tools.which("restic").orElse(null), tools.which("nice").orElse(null),
            stateDir.resolve("restic-cache"), ledger));
      } else if (c instanceof ExportTargetConfig.Exec e) {
        out.add(new ExecTarget(e, ledger));
      }
    }
    return out;
  }
}
