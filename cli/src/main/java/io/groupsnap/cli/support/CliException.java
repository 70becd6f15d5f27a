package io.groupsnap.cli.support;

/**
 * Ends a command with a one-line message on stderr and the given exit code. The message may quote input: it is
 * printed escaped and bounded ({@link io.groupsnap.common.Printable#line}); quote a single value with
 * {@link io.groupsnap.common.Printable#value} so that it is cut short on its own.
 */
public final class CliException extends Exception {
  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
