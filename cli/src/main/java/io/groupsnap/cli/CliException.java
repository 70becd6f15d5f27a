package io.groupsnap.cli;

/** Ends a command with a one-line message on stderr and the given exit code. */
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
