package io.groupsnap.agent.restore;

import io.groupsnap.agent.volume.Captures;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The switch of an in-place restore for a volume whose live data is a mount point, which cannot be renamed: the
 * restored tree is staged inside the mount ({@code <mount>/.groupsnap-staged-<id>}, on its file system by
 * construction), and the switch moves each top-level entry of the mount into {@code <mount>/.groupsnap-replaced-<id>}
 * and then each top-level entry of the staged tree up to the mount's top level, one atomic rename per entry.
 *
 * <p>Before the first rename of either direction, the <em>plan</em> (the entries of the old data and of the restored
 * data) is written durably through {@link Plans} (the agent's journal). Forward moves every old entry aside first and
 * only then every restored one in, so a crash between any two renames leaves a state the plan can finish in either
 * direction: forward moves each old entry not yet aside and each restored entry not yet in place; back is the mirror.
 * The member ends wholly old or wholly new. The states are those of {@link VolumeSwitch}, read from the two hidden
 * directories:
 *
 * <pre>
 *   state      staged dir   replaced dir
 *   OLD        present      -              staged, not switched (or switched back)
 *   HALF       present      present        between two renames, either way (the plan says what moves)
 *   NEW        -            present        switched; the old entries kept until confirmed
 *   SETTLED    -            -              confirmed, or discarded
 * </pre>
 *
 * <p>Entries that belong to the file system or to groupsnap never move: {@code lost+found} and every name starting
 * with {@code .groupsnap} (the hidden directories themselves, a capture directory kept inside the mount). Such entries
 * of a staged tree are deleted with it. Not thread-safe: one restore works on one volume at a time.
 */
final class MountSwitch implements LiveSwitch {
  /**
   * What a switch moves.
   *
   * @param old the old data's top-level entries (in the mount before forward, aside after)
   * @param restored the restored data's top-level entries (staged before forward, in the mount after)
   */
  record Plan(List<String> old, List<String> restored) {
    Plan {
      old = List.copyOf(old);
      restored = List.copyOf(restored);
    }
  }

  /** Where plans are kept durably (the agent's journal). */
  interface Plans {
    /** For paths and states only: a switch that must not move anything. */
    Plans NONE = new Plans() {
      @Override
      public Optional<Plan> load() {
        return Optional.empty();
      }

      @Override
      public void save(Plan p) throws IOException {
        throw new IOException("no journal to write the plan of a switch into");
      }
    };

    Optional<Plan> load();

    /** Writes {@code p} durably; returns only once it would survive a crash. */
    void save(Plan p) throws IOException;
  }

  private final Path mount;
  private final Path staged;
  private final Path replaced;
  private final Plans plans;
  private final VolumeSwitch.Between between;

  private MountSwitch(Path mount, Path staged, Path replaced, Plans plans, VolumeSwitch.Between between) {
    this.mount = mount;
    this.staged = staged;
    this.replaced = replaced;
    this.plans = plans;
    this.between = between;
  }

  /** The switch of the mount point {@code mount} for restore {@code restoreId}; between is called after each rename. */
  static MountSwitch inside(Path mount, String restoreId, Plans plans, VolumeSwitch.Between between) {
    Path m = mount.toAbsolutePath().normalize();
    return new MountSwitch(m, m.resolve(Captures.IN_PLACE_STAGED + restoreId),
        m.resolve(Captures.IN_PLACE_REPLACED + restoreId), plans, between);
  }

  /** Whether a top-level entry named {@code name} stays where it is through a switch. */
  static boolean kept(String name) {
    return name.equals("lost+found") || name.startsWith(".groupsnap");
  }

  @Override
  public Path staged() {
    return staged;
  }

  @Override
  public Path replaced() {
    return replaced;
  }

  @Override
  public VolumeSwitch.State state() throws IOException {
    if (!Files.isDirectory(mount, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("restore switch of " + mount + ": the mount point is missing");
    }
    boolean s = exists(staged);
    boolean r = exists(replaced);
    return s && r ? VolumeSwitch.State.HALF : s ? VolumeSwitch.State.OLD : r ? VolumeSwitch.State.NEW
        : VolumeSwitch.State.SETTLED;
  }

  @Override
  public void forward() throws IOException {
    Plan plan;
    switch (state()) {
      case OLD -> {
        plan = new Plan(entries(mount), entries(staged));
        plans.save(plan); // before the first rename
        Files.createDirectory(replaced);
      }
      case HALF -> plan = journaled();
      case NEW -> {
        return;
      }
      default -> throw new IOException("restore switch of " + mount + ": nothing staged to switch to");
    }
    for (String o : plan.old()) {
      if (!exists(replaced.resolve(o))) {
        move(mount.resolve(o), replaced.resolve(o));
      }
    }
    for (String n : plan.restored()) {
      if (!exists(mount.resolve(n))) {
        move(staged.resolve(n), mount.resolve(n));
      }
    }
    List<String> left = entries(staged);
    if (!left.isEmpty()) {
      throw new IOException("restore switch of " + mount + ": " + staged + " still holds " + left + ", which the "
          + "journaled plan does not name; it is left as it is");
    }
    AsideTrees.delete(staged); // what stays holds only entries that never move
  }

  @Override
  public void back() throws IOException {
    Plan plan;
    switch (state()) {
      case NEW -> {
        plan = new Plan(entries(replaced), entries(mount));
        plans.save(plan); // before the first rename
        Files.createDirectory(staged);
      }
      case HALF -> plan = journaled();
      case OLD -> {
        return;
      }
      default -> throw new IOException("restore switch of " + mount + ": the replaced data is gone (confirmed)");
    }
    for (String n : plan.restored()) {
      if (!exists(staged.resolve(n))) {
        move(mount.resolve(n), staged.resolve(n));
      }
    }
    for (String o : plan.old()) {
      if (!exists(mount.resolve(o))) {
        move(replaced.resolve(o), mount.resolve(o));
      }
    }
    Files.delete(replaced); // empty now; if not, something else wrote there, and nothing is deleted
  }

  @Override
  public void confirm() throws IOException {
    VolumeSwitch.State s = state();
    if (s != VolumeSwitch.State.NEW) {
      throw new IOException("restore switch of " + mount + " is " + s + ", not switched: nothing to confirm");
    }
    AsideTrees.delete(replaced);
  }

  @Override
  public void discardStaged() throws IOException {
    VolumeSwitch.State s = state();
    if (s == VolumeSwitch.State.HALF || s == VolumeSwitch.State.NEW) {
      throw new IOException("restore switch of " + mount + " is " + s + ": switch back before discarding the staged "
          + "tree");
    }
    AsideTrees.delete(staged);
  }

  private Plan journaled() throws IOException {
    return plans.load().orElseThrow(() -> new IOException("restore switch of " + mount + " is between two renames "
        + "but no plan of it was journaled: it cannot be finished safely; compare " + staged + " and " + replaced
        + " with the mount by hand"));
  }

  /** The top-level entries of {@code dir} that a switch moves, sorted. */
  private static List<String> entries(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        String name = p.getFileName().toString();
        if (!kept(name)) {
          out.add(name);
        }
      }
    }
    out.sort(null);
    return out;
  }

  private void move(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    between.renamed();
  }

  private static boolean exists(Path p) {
    return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
  }
}
