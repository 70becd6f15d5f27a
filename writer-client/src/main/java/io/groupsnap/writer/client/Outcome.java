package io.groupsnap.writer.client;

import java.util.Objects;

/**
 * An application's answer to one request of the agent.
 *
 * @param code OK, or why not and whether trying the group snapshot again later may help
 * @param reason one line for the operator when not OK
 */
public record Outcome(Code code, String reason) {
  /** Yes. */
  public static final Outcome OK = new Outcome(Code.OK, "");

  /** What an answer says. */
  public enum Code {
    OK,
    /** Not now; the group snapshot may succeed when tried again later. */
    RETRYABLE,
    /** No, and trying again will not help until someone fixes something. */
    NON_RETRYABLE
  }

  public Outcome {
    Objects.requireNonNull(code, "code");
    reason = reason == null ? "" : reason;
  }

  public static Outcome retryable(String reason) {
    return new Outcome(Code.RETRYABLE, reason);
  }

  public static Outcome nonRetryable(String reason) {
    return new Outcome(Code.NON_RETRYABLE, reason);
  }

  public boolean ok() {
    return code == Code.OK;
  }
}
