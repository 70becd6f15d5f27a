package io.groupsnap.coordinator.scrub;

import io.groupsnap.proto.v1.CaptureCheck;
import io.groupsnap.proto.v1.TxnHeader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How the scrub asks one agent about its captures of a group snapshot (AgentService CheckSnapshot). The future never
 * fails: a call that could not be made or was not answered within {@code deadline} completes with
 * {@link Reply#unreachable}, naming why.
 */
public interface CaptureProbe {
  /**
   * An agent's answer.
   *
   * @param captures its finding per volume asked for, when it answered
   * @param failure why it could not be asked or did not answer; null when it answered
   */
  record Reply(List<CaptureCheck> captures, String failure) {
    public Reply {
      captures = List.copyOf(captures);
    }

    public static Reply answered(List<CaptureCheck> captures) {
      return new Reply(captures, null);
    }

    public static Reply unreachable(String why) {
      return new Reply(List.of(), why);
    }

    public boolean isAnswered() {
      return failure == null;
    }
  }

  /**
   * @param agentId the agent the registration at {@code endpoint} names: only that agent is accepted there
   * @param endpoint where it serves, host:port
   */
  CompletableFuture<Reply> check(String agentId, String endpoint, TxnHeader header, List<String> volumes,
      boolean checksum, Duration deadline);
}
