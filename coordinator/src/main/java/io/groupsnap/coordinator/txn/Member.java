package io.groupsnap.coordinator.txn;

import java.util.List;

/**
 * One agent taking part in a transaction, with the volumes it captures.
 *
 * @param agentId the agent's registered id
 * @param endpoint its AgentService address, host:port
 * @param volumes volume names, never empty
 */
public record Member(String agentId, String endpoint, List<String> volumes) {
  public Member {
    volumes = List.copyOf(volumes);
  }
}
