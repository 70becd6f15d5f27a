package io.groupsnap.cli.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log levels and format of the daemons. The CLI's own commands keep stderr quiet (warnings only), but a daemon that
 * logs nothing leaves an operator without the reason of an abort: {@code groupsnap agent} and {@code groupsnap
 * coordinator} log at INFO unless {@code GROUPSNAP_LOG_LEVEL} says otherwise. They log text lines unless
 * {@code --log-format} or {@code GROUPSNAP_LOG_FORMAT} asks for JSON ({@link JsonLogEncoder}, one object a line).
 */
public final class DaemonLogging {
  /** The environment variable that sets the level of every groupsnap process (CLI and daemons). */
  public static final String LEVEL_VARIABLE = "GROUPSNAP_LOG_LEVEL";
  /** The environment variable that chooses the daemons' log format, {@code text} or {@code json}. */
  public static final String FORMAT_VARIABLE = "GROUPSNAP_LOG_FORMAT";

  /** How the daemons write log lines. */
  public enum Format { TEXT, JSON }

  private DaemonLogging() {}

  /**
   * The format chosen by {@code option} (the {@code --log-format} value, may be null), else by
   * {@code GROUPSNAP_LOG_FORMAT}, else text.
   *
   * @throws CliException (usage) when the chosen value is neither {@code text} nor {@code json}
   */
  public static Format format(String option) throws CliException {
    if (option != null) {
      return parse("--log-format", option);
    }
    String env = System.getenv(FORMAT_VARIABLE);
    return env == null || env.isBlank() ? Format.TEXT : parse(FORMAT_VARIABLE, env.strip());
  }

  static Format parse(String where, String value) throws CliException {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "text" -> Format.TEXT;
      case "json" -> Format.JSON;
      default -> throw new CliException(ExitCodes.USAGE,
          where + ": expected text or json, got '" + io.groupsnap.common.Printable.value(value) + "'");
    };
  }

  /**
   * Raises the root level to INFO for a daemon, unless the operator chose a level, and switches the console to JSON
   * lines when {@code format} says so. Call before the daemon starts.
   */
  public static void useDaemonDefaults(Format format) {
    String chosen = System.getenv(LEVEL_VARIABLE);
    if ((chosen == null || chosen.isBlank())
        && LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(Level.INFO);
    }
    if (format == Format.JSON && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      useJson(context);
    }
  }

  /** Gives every console/stream appender of the root logger a {@link JsonLogEncoder}. */
  static void useJson(LoggerContext context) {
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out) {
        JsonLogEncoder encoder = new JsonLogEncoder();
        encoder.setContext(context);
        encoder.start();
        out.setEncoder(encoder); // not stop/start: stopping a console appender closes its stream (stderr)
      }
    }
  }
}
