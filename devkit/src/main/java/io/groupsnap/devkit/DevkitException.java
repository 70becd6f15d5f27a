package io.groupsnap.devkit;

/**
 * Ends a dev tool (dev cluster, demo, bench) with a one-line message for the operator. {@link #kind} says whether the
 * input was bad (nothing was started) or the run failed, so a command line can map it to its exit code.
 */
public final class DevkitException extends Exception {
  /** What went wrong. */
  public enum Kind {
    /** A bad option or environment (e.g. not a btrfs, not root): nothing was started. */
    BAD_INPUT,
    /** The run started and failed. */
    FAILED
  }

  private final Kind kind;

  public DevkitException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
