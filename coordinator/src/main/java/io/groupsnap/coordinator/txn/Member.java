package io.groupsnap.coordinator.txn;

import java.util.List;

/**
 * One agent taking part in a transaction, with the volumes it captures.
 *
 * @param agentId the agent's registered id
 * @param endpoint its AgentService address, host:port
 * @param volumes volume names, never empty
 * @param instance when this agent process registered (0 when unknown): a restarted agent is a new instance
 */
public record Member(String agentId, String endpoint, List<String> volumes, long instance) {
  public Member {
    volumes = List.copyOf(volumes);
  }

  public Member(String agentId, String endpoint, List<String> volumes) {
    this(agentId, endpoint, volumes, 0);
  }
}
