package io.groupsnap.agent.kinds;

import java.nio.file.Path;

/**
 * What volume and writer kinds get from the agent.
 *
 * @param snapshotRoot where copy-based captures go; kinds that snapshot in place keep theirs elsewhere
 * @param stateDir the agent's durable state (logs of writer commands, sockets)
 * @param commands runs external tools
 */
public record KindContext(Path snapshotRoot, Path stateDir, CommandRunner commands) {
  public KindContext {
    snapshotRoot = snapshotRoot.toAbsolutePath().normalize();
    stateDir = stateDir.toAbsolutePath().normalize();
  }

  public static KindContext of(Path snapshotRoot, Path stateDir) {
    return new KindContext(snapshotRoot, stateDir, CommandRunner.system());
  }
}
