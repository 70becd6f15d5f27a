package io.groupsnap.writer.client;

import java.util.List;

/**
 * The group snapshot a request is about.
 *
 * @param id the group snapshot (transaction) id
 * @param epoch the leading coordinator's epoch (higher is newer)
 * @param volumes the names of the agent's volumes in this group snapshot
 * @param agentId the agent asking
 */
public record Txn(String id, long epoch, List<String> volumes, String agentId) {
  public Txn {
    volumes = List.copyOf(volumes);
  }
}
