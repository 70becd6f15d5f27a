package io.groupsnap.writer.client;

import java.util.List;

/**
 * An in-place restore of volumes the application writes to, as {@link Handler#preRestore} and
 * {@link Handler#postRestore} see it.
 *
 * @param id the restore's id
 * @param groupSnapshotId the group snapshot whose data is restored
 * @param epoch the epoch of the coordinator leading the restore
 * @param volumes the names of the agent's volumes being restored
 * @param agentId the agent asking
 * @param restored at {@link Handler#postRestore}: true when the volumes now hold the restored data, false when the
 *     old data was put back; false at {@link Handler#preRestore}
 */
public record Restore(String id, String groupSnapshotId, long epoch, List<String> volumes, String agentId,
    boolean restored) {
  public Restore {
    volumes = List.copyOf(volumes);
  }
}
