package io.groupsnap.coordinator.runs;

import io.groupsnap.coordinator.store.Listing;
import io.groupsnap.proto.v1.BackupRun;
import java.util.Optional;

/** The backup runs recorded in ZooKeeper ({@code runs/<id>}), as schedules, retention and the CLI read them. */
public interface RunCatalog {
  /** @return empty when there is no such run */
  Optional<BackupRun> find(String id) throws Exception;

  /**
   * The runs of a group (every group when {@code group} is null), oldest first, and the records that cannot be
   * decoded.
   */
  Listing<BackupRun> list(String group) throws Exception;
}
