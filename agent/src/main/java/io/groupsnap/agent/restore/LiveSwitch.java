package io.groupsnap.agent.restore;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How one volume's live data is switched to its restored data and back by an in-place restore (docs/protocol.md,
 * "In-place restore", steps 2 and 4): by two renames when the live data is a directory ({@link VolumeSwitch}), entry
 * by entry when it is a mount point ({@link MountSwitch}), by renames and a promote of ZFS datasets
 * ({@link ZfsSwitch}). All tell where they stand in the same states
 * ({@link VolumeSwitch.State}: OLD, HALF, NEW, SETTLED), read from the system alone, so answers to the leader and the
 * recovery of a switch a crash cut are the same for both. Every operation is idempotent.
 */
interface LiveSwitch {
  /** Where the restored data is staged before the switch. */
  Path staged();

  /** Where the replaced data is kept after the switch, until confirmed. */
  Path replaced();

  /** The staged data as shown to the operator (a path, or a dataset's name). */
  default String stagedName() {
    return staged().toString();
  }

  /** Removes what a stage left unfinished or failed to finish, before staging anew: a tree at {@link #staged}. */
  default void clearStage() throws IOException {
    AsideTrees.delete(staged());
  }

  /** Where the switch stands, from the file system alone. */
  VolumeSwitch.State state() throws IOException;

  /** Puts the staged data in place, keeping the old aside: OLD or HALF → NEW; nothing to do when NEW. */
  void forward() throws IOException;

  /** Puts the old data back, keeping the restored aside as staged: NEW or HALF → OLD; nothing to do when OLD. */
  void back() throws IOException;

  /** After a switch forward is confirmed: deletes the replaced data (NEW → SETTLED). */
  void confirm() throws IOException;

  /** Before a switch, or after one was undone: deletes the staged data (OLD → SETTLED). */
  void discardStaged() throws IOException;
}
