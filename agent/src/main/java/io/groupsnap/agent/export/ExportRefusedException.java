package io.groupsnap.agent.export;

/**
 * A request to export or forget that this agent will not act on, in one line: the capture is not one it keeps, the
 * target is not configured here, the run's export is still going. The gRPC edge answers FAILED_PRECONDITION.
 */
public final class ExportRefusedException extends Exception {
  public ExportRefusedException(String message) {
    super(message);
  }
}
