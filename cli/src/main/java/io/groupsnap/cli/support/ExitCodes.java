package io.groupsnap.cli.support;

/** The CLI's exit codes, stable for scripts and schedulers. */
public final class ExitCodes {
  public static final int OK = 0;
  /**
   * The operation failed, something could not be reached within a bounded wait, or the coordinator refused the
   * caller's identity (PERMISSION_DENIED: the one line names the identity and the role it lacks).
   */
  public static final int FAILED = 1;
  /** Usage error or bad input (missing or unusable TLS credentials too): nothing was frozen and nothing deleted. */
  public static final int USAGE = 2;
  /** The group snapshot was aborted (nothing kept, everything thawed). */
  public static final int ABORTED = 3;

  private ExitCodes() {}
}
