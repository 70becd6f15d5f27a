package io.groupsnap.cli.command;

import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.LeaseLimits;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.ListAgentsRequest;
import io.groupsnap.proto.v1.ListAgentsResponse;
import io.groupsnap.proto.v1.MemberSelector;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;

/**
 * {@code snapshot create --lease}: refuses, before the create is sent, a lease longer than the {@code maxFreezeLease}
 * a member agent registered (exit 2, the coordinator's wording, {@link LeaseLimits}). The registrations come from one
 * list-agents call; when it fails the create goes ahead and the coordinator, which checks again, decides. Not
 * thread-safe; used once, by one command.
 */
final class LeaseCheck {
  /** Short: an unresponsive coordinator is the create's to report, after its own wait for a failover. */
  static final Duration DEADLINE = Duration.ofSeconds(5);

  private LeaseCheck() {}

  /**
   * @param selectors the {@code --member}s; empty means every registered agent
   * @throws CliException exit 2, naming the agents whose limit the lease exceeds, and their limit
   */
  static void check(Connection c, Duration lease, List<MemberSelector> selectors) throws CliException {
    ListAgentsResponse r;
    try {
      r = c.stub(DEADLINE).listAgents(ListAgentsRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      return; // the coordinator checks the lease again before anything starts
    }
    List<String> agents = selectors.isEmpty()
        ? r.getAgentsList().stream().map(AgentRegistration::getAgentId).toList()
        : selectors.stream().map(MemberSelector::getAgentId).distinct().toList();
    String refusal = LeaseLimits.refusal(lease, null, agents, r.getAgentsList()).orElse(null);
    if (refusal != null) {
      throw new CliException(ExitCodes.USAGE, refusal);
    }
  }
}
