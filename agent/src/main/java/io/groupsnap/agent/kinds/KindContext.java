package io.groupsnap.agent.kinds;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.hub.WriterHub;
import java.nio.file.Path;

/**
 * What volume and writer kinds get from the agent.
 *
 * @param snapshotRoot where copy-based captures go; kinds that snapshot in place keep theirs elsewhere
 * @param stateDir the agent's durable state (logs of writer commands, sockets)
 * @param commands runs external tools
 * @param writerHub the endpoint applications subscribe to (writers of kind {@code grpc}); null where none runs, as
 *     when a configuration is only being validated
 */
public record KindContext(Path snapshotRoot, Path stateDir, CommandRunner commands, WriterHub writerHub) {
  public KindContext {
    snapshotRoot = snapshotRoot.toAbsolutePath().normalize();
    stateDir = stateDir.toAbsolutePath().normalize();
  }

  /** Without a writer hub. */
  public KindContext(Path snapshotRoot, Path stateDir, CommandRunner commands) {
    this(snapshotRoot, stateDir, commands, null);
  }

  public static KindContext of(Path snapshotRoot, Path stateDir) {
    return new KindContext(snapshotRoot, stateDir, CommandRunner.system());
  }

  /** The same context with {@code hub}. */
  public KindContext withWriterHub(WriterHub hub) {
    return new KindContext(snapshotRoot, stateDir, commands, hub);
  }
}
