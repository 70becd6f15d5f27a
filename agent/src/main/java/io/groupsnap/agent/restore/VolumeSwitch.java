package io.groupsnap.agent.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;

/**
 * The switch of an in-place restore for a volume whose live data is a directory: the restored tree, staged beside the
 * live one on the same file system, takes its place by two renames, and the replaced tree is kept aside until the
 * restore is confirmed (docs/protocol.md, "In-place restore"). Each rename is atomic; the three paths say on their
 * own how far a switch got, so an agent killed between the two renames finds, at its restart, a state from which
 * either direction can be finished — which one is the leader's decision (the restore record), not the agent's:
 *
 * <pre>
 *   state      live        staged      replaced
 *   OLD        old data    restored    -           staged, not switched (or switched back, restored kept aside)
 *   HALF       -           restored    old data    between the two renames, either way
 *   NEW        restored    -           old data    switched; the old data kept until confirmed
 *   SETTLED    whichever   -           -           confirmed, or cancelled: nothing kept aside
 * </pre>
 *
 * <p>Every operation is idempotent and may be repeated after a crash at any point of a previous attempt. Not
 * thread-safe: one restore works on one volume at a time (the restore manager's rule).
 */
public final class VolumeSwitch implements LiveSwitch {
  /** Where a switch stands; see the class comment (and {@link MountSwitch}'s for a mount point). */
  public enum State { OLD, HALF, NEW, SETTLED }

  /** Called between the two renames of a switch (tests make a crash there). */
  interface Between {
    Between NOTHING = () -> { };

    void renamed() throws IOException;
  }

  private final Path live;
  private final Path staged;
  private final Path replaced;
  private final Between between;

  private VolumeSwitch(Path live, Path staged, Path replaced, Between between) {
    this.live = live;
    this.staged = staged;
    this.replaced = replaced;
    this.between = between;
  }

  /**
   * The switch of {@code live} for restore {@code restoreId}: the staged and replaced trees are hidden siblings of the
   * live directory ({@code .<name>.groupsnap-staged-<id>}, {@code .<name>.groupsnap-replaced-<id>}), on its file
   * system by construction, so the switch is made of renames.
   */
  public static VolumeSwitch beside(Path live, String restoreId) {
    return beside(live, restoreId, Between.NOTHING);
  }

  static VolumeSwitch beside(Path live, String restoreId, Between between) {
    Path l = live.toAbsolutePath().normalize();
    Objects.requireNonNull(l.getParent(), "a volume's live directory has a parent");
    String name = l.getFileName().toString();
    return new VolumeSwitch(l, l.resolveSibling("." + name + ".groupsnap-staged-" + restoreId),
        l.resolveSibling("." + name + ".groupsnap-replaced-" + restoreId), between);
  }

  /** Where the restored tree is staged before the switch. */
  @Override
  public Path staged() {
    return staged;
  }

  /** Where the replaced tree is kept after the switch. */
  @Override
  public Path replaced() {
    return replaced;
  }

  /** Where the switch stands, from the paths alone. */
  @Override
  public State state() throws IOException {
    boolean l = exists(live);
    boolean s = exists(staged);
    boolean r = exists(replaced);
    if (!l && s && r) {
      return State.HALF;
    }
    if (l && r && !s) {
      return State.NEW;
    }
    if (l && s && !r) {
      return State.OLD;
    }
    if (l && !s && !r) {
      return State.SETTLED;
    }
    throw new IOException("restore switch of " + live + " is in no state it can leave: live " + (l ? "present"
        : "missing") + ", staged " + (s ? "present" : "missing") + ", replaced " + (r ? "present" : "missing"));
  }

  /** Puts the staged tree in place, keeping the old one aside: OLD or HALF → NEW. Nothing to do when NEW. */
  @Override
  public void forward() throws IOException {
    switch (state()) {
      case OLD -> {
        move(live, replaced);
        between.renamed();
        move(staged, live);
      }
      case HALF -> move(staged, live);
      case NEW -> { }
      case SETTLED -> throw new IOException("restore switch of " + live + ": nothing staged to switch to");
    }
  }

  /** Puts the old tree back, keeping the restored one aside as staged: NEW or HALF → OLD. Nothing to do when OLD. */
  @Override
  public void back() throws IOException {
    switch (state()) {
      case NEW -> {
        move(live, staged);
        between.renamed();
        move(replaced, live);
      }
      case HALF -> move(replaced, live);
      case OLD -> { }
      case SETTLED -> throw new IOException("restore switch of " + live + ": the replaced data is gone (confirmed)");
    }
  }

  /** After a switch forward is confirmed: deletes the replaced tree (NEW → SETTLED). */
  @Override
  public void confirm() throws IOException {
    if (state() != State.NEW) {
      throw new IOException("restore switch of " + live + " is " + state() + ", not switched: nothing to confirm");
    }
    AsideTrees.delete(replaced); // a btrfs subvolume goes as the kind deletes one
  }

  /** Before a switch, or after one was undone: deletes the staged tree (OLD → SETTLED). */
  @Override
  public void discardStaged() throws IOException {
    State s = state();
    if (s == State.HALF || s == State.NEW) {
      throw new IOException("restore switch of " + live + " is " + s + ": switch back before discarding the staged "
          + "tree");
    }
    AsideTrees.delete(staged);
  }

  private static boolean exists(Path p) {
    return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
  }

  private static void move(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
  }
}
