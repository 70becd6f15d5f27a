package io.groupsnap.cli.support;

import ch.qos.logback.classic.Level;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log levels of the daemons. The CLI's own commands keep stderr quiet (warnings only), but a daemon that logs nothing
 * leaves an operator without the reason of an abort: {@code groupsnap agent} and {@code groupsnap coordinator} log at
 * INFO unless {@code GROUPSNAP_LOG_LEVEL} says otherwise.
 */
public final class DaemonLogging {
  /** The environment variable that sets the level of every groupsnap process (CLI and daemons). */
  public static final String LEVEL_VARIABLE = "GROUPSNAP_LOG_LEVEL";

  private DaemonLogging() {}

  /** Raises the root level to INFO for a daemon, unless the operator chose a level. Call before the daemon starts. */
  public static void useDaemonDefaults() {
    String chosen = System.getenv(LEVEL_VARIABLE);
    if (chosen != null && !chosen.isBlank()) {
      return;
    }
    if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(Level.INFO);
    }
  }
}
