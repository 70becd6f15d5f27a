package io.groupsnap.agent.writer;

/**
 * A writer's answer to one call.
 *
 * @param outcome OK, or why not and whether trying again may help
 * @param reason for the operator when not OK
 */
public record WriterResult(Outcome outcome, String reason) {
  public static final WriterResult OK = new WriterResult(Outcome.OK, "");

  /** A writer's answer. */
  public enum Outcome { OK, RETRYABLE, NON_RETRYABLE }

  public static WriterResult retryable(String reason) {
    return new WriterResult(Outcome.RETRYABLE, reason);
  }

  public static WriterResult nonRetryable(String reason) {
    return new WriterResult(Outcome.NON_RETRYABLE, reason);
  }

  public boolean ok() {
    return outcome == Outcome.OK;
  }
}
