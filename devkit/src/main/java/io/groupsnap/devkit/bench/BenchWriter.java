package io.groupsnap.devkit.bench;

import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.writer.exec.ExecWriter;
import io.groupsnap.agent.writer.exec.ExecWriterOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The writer every bench member has: the in-process gate writer (the default: what coordination costs, nothing else),
 * or an exec writer whose hook is a small sh script that holds nothing and answers at once, run a process per phase
 * ({@code exec}) or started at PREPARE and told to freeze on its input ({@code exec-session}) — what an exec hook's
 * process start costs inside the window, and what the session mode saves of it.
 */
public enum BenchWriter {
  GATE, EXEC, EXEC_SESSION;

  /** The hook both exec modes run: {@code HOOK freeze|thaw} exits 0; {@code HOOK session} speaks the protocol. */
  private static final String HOOK = "#!/bin/sh\n"
      + "# groupsnap bench hook: holds nothing, answers at once\n"
      + "case \"$1\" in\n"
      + "  session)\n"
      + "    echo ready\n"
      + "    while read -r cmd; do echo ok; done ;;\n"
      + "  *) exit 0 ;;\n"
      + "esac\n";

  /** As {@code --writer} names it: {@code gate}, {@code exec}, {@code exec-session}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /** Writes the hook script into {@code dir}; returns its path. */
  static Path writeHook(Path dir) throws IOException {
    Path hook = dir.resolve("bench-hook");
    Files.writeString(hook, HOOK);
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
    return hook;
  }

  /** An exec writer named {@code app} running {@code hook} in this mode, its log under {@code stateDir}. */
  ExecWriter exec(Path hook, Path stateDir) {
    String h = hook.toString();
    ExecWriterOptions options = this == EXEC_SESSION ? ExecWriterOptions.session(List.of(h, "session"))
        : ExecWriterOptions.commands(List.of(h, "freeze"), List.of(h, "thaw"));
    return new ExecWriter(new WriterConfig("app", "exec", 0, Set.of(), Duration.ofSeconds(10),
        this == EXEC_SESSION ? Map.of("mode", "session") : Map.of()), options, stateDir);
  }
}
