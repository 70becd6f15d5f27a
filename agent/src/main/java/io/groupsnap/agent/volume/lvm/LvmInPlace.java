package io.groupsnap.agent.volume.lvm;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.volume.StorageTools;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The in-place restore of an {@code lvm} volume (docs/protocol.md, "In-place restore"; docs/kinds/lvm.md): the
 * capture {@code <lv>-gs-<id>} merged back into the origin ({@code lvconvert --merge}) after a thick snapshot of the
 * origin, the aside {@code <lv>-gs-aside-<restore id>} ({@link LvmNames#inPlaceAside}, {@code 100%ORIGIN}, so it can
 * never fill up), has kept the replaced data. Nothing is staged: the stage only checks
 * ({@link LvmInPlaceCheck}).
 *
 * <p>Where a switch stands is read from {@code lvs} and {@code findmnt} alone, with the journal's last record
 * ({@link Merges}: which snapshot is about to be merged, and its UUID, written before {@code lvconvert} runs; the
 * capture's UUID once re-created):
 *
 * <pre>
 *   where  merging  aside    capture                                                               mounted
 *   OLD    no       -        present (or deleted since a rollback)                                 yes
 *   HALF   yes
 *          no       -        present                                                               no
 *          no       present  merged, not re-created yet; or not merged yet                         any
 *          no       present  re-created, or deleted since                                          no
 *   NEW    no       present  re-created (journaled, or another UUID than the merge journaled named),
 *                            or deleted since                                                      yes
 * </pre>
 * SETTLED reads as OLD once the restore's CONFIRM is journaled.
 *
 * <p>Forward (writers stopped): unmount, {@code lvcreate -s -p r -l 100%ORIGIN -n <aside>}, journal "merge capture",
 * {@code lvconvert --merge --background <capture>}, reactivate the origin if the merge waits for it, wait until
 * {@code lv_merging} clears, re-create the capture under its name with the volume's snapshot size (the origin now
 * holds exactly the cut, and nothing writes), mount. Back: unmount, re-create the capture first if a merge of it ended
 * but it was not re-created, journal "merge aside", merge the aside, wait, mount. A merge cannot be stopped, so each
 * direction first finishes any merge under way, whichever it is; each step is skipped when done, so both finish from
 * any point a crash cut them. Confirm removes the aside only. All commands are argument vectors; names are checked by
 * {@link LvmNames}. Not thread-safe: an in-place restore works on a volume from one thread.
 */
public final class LvmInPlace {
  /** The limit of each command of a switch. */
  static final Duration TIMEOUT = Duration.ofMinutes(5);
  /** How long one call waits for a merge before answering that it is still running (asked again, it waits on). */
  static final Duration MERGE_LIMIT = Duration.ofMinutes(30);
  private static final Duration POLL = Duration.ofSeconds(2);
  static final List<String> TOOLS = List.of("lvs", "vgs", "lvcreate", "lvconvert", "lvchange", "lvremove");
  static final List<String> MOUNT_TOOLS = List.of("findmnt", "mount", "umount");

  /** Where a switch stands; see the class comment. */
  public enum Where { OLD, HALF, NEW, SETTLED }

  /**
   * What the journal keeps of a volume's switch: the LV, its snapshot size (for re-creating the capture) and how its
   * file system is mounted at the live path (for mounting it again).
   */
  public record Spec(String vg, String lv, String snapshotSize, String fsType, String mountOptions) {}

  /**
   * The journal's last record of the switch: a merge about to start ({@code capture:<uuid>}, {@code aside:<uuid>},
   * saved before {@code lvconvert} runs) or the capture re-created ({@code recreated:<uuid>}, after which a missing
   * capture was deleted — by the reaper — and is never re-created from data written since).
   */
  public interface Merges {
    String last();

    void started(String merge) throws IOException;
  }

  /** Called right after a merge is started (tests make a crash there). */
  @FunctionalInterface
  public interface Between {
    void merging() throws IOException;
  }

  /** The LVs and the mount that a switch is made of. */
  private record State(LvmLiveReports.Row origin, LvmLiveReports.Row capture, LvmLiveReports.Row aside,
      boolean merging, boolean mounted) {}

  private final String volume;
  private final Spec spec;
  private final String capture;
  private final String aside;
  private final Path live;
  private final StorageTools lvm;
  private final StorageTools util;
  private final Merges merges;
  private final boolean confirmed;
  private final LvmLiveReports reports;

  LvmInPlace(String volume, Spec spec, String groupSnapshotId, String restoreId, Path live, StorageTools lvm,
      StorageTools util, Merges merges, boolean confirmed) {
    this.volume = volume;
    this.spec = spec;
    this.capture = LvmNames.snapshotName(spec.lv(), groupSnapshotId);
    this.aside = LvmNames.inPlaceAside(spec.lv(), restoreId);
    this.live = live;
    this.lvm = lvm;
    this.util = util;
    this.merges = merges;
    this.confirmed = confirmed;
    this.reports = new LvmLiveReports(spec.vg(), spec.lv(), live, lvm, util);
  }

  /**
   * The switch of in-place restore {@code restoreId} of group snapshot {@code groupSnapshotId}, known from a journal
   * alone (an agent settling a switch before its configuration is read).
   *
   * @param confirmed the restore's CONFIRM was journaled: no aside then means SETTLED, not OLD
   * @throws IOException when a name is not one LVM and groupsnap accept
   */
  public static LvmInPlace of(String volume, Spec spec, String groupSnapshotId, String restoreId, Path live,
      CommandRunner commands, Merges merges, boolean confirmed) throws IOException {
    String problem = LvmNames.vgProblem(spec.vg());
    problem = problem != null ? "volume group name " + problem : LvmNames.snapshotProblem(spec.vg(),
        LvmNames.snapshotName(spec.lv(), groupSnapshotId));
    problem = problem != null ? problem : LvmNames.snapshotProblem(spec.vg(), LvmNames.inPlaceAside(spec.lv(),
        restoreId));
    if (problem != null) {
      throw new IOException("volume " + volume + ": " + problem);
    }
    try {
      LvmSnapshotSize.parse(spec.snapshotSize());
    } catch (IllegalArgumentException e) {
      throw new IOException("volume " + volume + ": snapshot size " + e.getMessage());
    }
    return new LvmInPlace(volume, spec, groupSnapshotId, restoreId, live, new StorageTools(commands,
        LvmVolume.PACKAGE, TIMEOUT, Path.of("/")), new StorageTools(commands, "util-linux", TIMEOUT, Path.of("/")),
        merges, confirmed);
  }

  public String capture() {
    return spec.vg() + "/" + capture;
  }

  public String aside() {
    return spec.vg() + "/" + aside;
  }

  // ---- switch ------------------------------------------------------------------------------------------------

  public Where where() throws IOException {
    return where(read());
  }

  private Where where(State s) throws IOException {
    if (s.merging()) {
      return Where.HALF;
    }
    String last = lastRecord();
    if (s.aside() == null) {
      boolean gone = s.capture() == null; // deleted since the switch (the reaper), or never there
      if (gone && !last.startsWith("aside:") && !(last.startsWith("recreated:") && confirmed)) {
        throw stuck(s);
      }
      return !s.mounted() ? Where.HALF : confirmed ? Where.SETTLED : Where.OLD;
    }
    if (s.capture() == null) {
      return last.startsWith("recreated:") && s.mounted() ? Where.NEW : Where.HALF;
    }
    return recreated(s) && s.mounted() ? Where.NEW : Where.HALF;
  }

  /**
   * The capture present is the one re-created after the capture's merge: the journal says so, or its last merge was
   * the capture's and this capture has another UUID (cut between the re-creation and the journal).
   */
  private boolean recreated(State s) {
    String last = lastRecord();
    return last.startsWith("recreated:") || last.startsWith("capture:") && !last.equals("capture:"
        + s.capture().uuid());
  }

  private String lastRecord() {
    return merges.last() == null ? "" : merges.last();
  }

  /** The capture's merge ended and it was not re-created yet: the origin holds the cut, nothing wrote to it. */
  private boolean mergedNotRecreated(State s) {
    return s.capture() == null && s.aside() != null && lastRecord().startsWith("capture:");
  }

  /** Merges the capture into the origin, keeping the replaced data in the aside: OLD or HALF → NEW. */
  public void forward(Between between) throws IOException {
    State s = read();
    Where w = where(s);
    if (w == Where.NEW) {
      return;
    }
    if (w == Where.SETTLED) {
      throw new IOException("volume " + volume + ": in-place switch of " + spec.vg() + "/" + spec.lv()
          + " is confirmed: nothing to switch to");
    }
    s = finish(s);
    if (s.aside() == null) {
      if (s.capture() == null) {
        throw stuck(s);
      }
      s = unmount(s);
      lvm.runForIo(List.of(tool("lvcreate"), "--snapshot", "--permission", "r", "--extents", "100%ORIGIN",
          "--name", aside, spec.vg() + "/" + spec.lv()));
      s = read();
    }
    if (s.capture() != null && !recreated(s)) {
      s = merge(unmount(s), s.capture(), "capture", between);
    }
    if (mergedNotRecreated(s)) {
      s = recreate();
    } else if (s.capture() == null && !lastRecord().startsWith("recreated:")) {
      throw stuck(s); // the capture is gone and was never merged: nothing to switch to
    }
    mount(s);
  }

  /** Merges the aside back into the origin: NEW or HALF → OLD, the capture (re-created) kept. */
  public void back(Between between) throws IOException {
    State s = read();
    Where w = where(s);
    if (w == Where.OLD) {
      return;
    }
    if (w == Where.SETTLED) {
      throw new IOException("volume " + volume + ": in-place switch of " + spec.vg() + "/" + spec.lv()
          + ": the aside snapshot is gone (confirmed)");
    }
    s = finish(s);
    if (s.aside() != null) {
      if (mergedNotRecreated(s)) {
        s = recreate(); // the capture's merge ended: the origin is the cut, nothing has written to it
      }
      s = merge(unmount(s), s.aside(), "aside", between);
    }
    mount(s);
  }

  /** After a switch forward is confirmed: removes the aside (NEW → SETTLED), and nothing else. */
  public void confirm() throws IOException {
    State s = read();
    Where w = where(s);
    if (w != Where.NEW) {
      throw new IOException("volume " + volume + ": in-place switch of " + spec.vg() + "/" + spec.lv() + " is " + w
          + ", not switched: nothing to confirm");
    }
    if (!s.aside().origin().equals(spec.lv())) {
      throw new IOException("refusing to remove " + aside() + ": it is no snapshot of " + spec.lv());
    }
    lvm.runForIo(List.of(tool("lvremove"), "-y", aside()));
  }

  /** Journals the merge, starts it, and waits until it ended. */
  private State merge(State s, LvmLiveReports.Row snapshot, String which, Between between) throws IOException {
    merges.started(which + ":" + snapshot.uuid()); // before it starts: a restarted agent finishes it
    lvm.runForIo(List.of(tool("lvconvert"), "--merge", "--background", spec.vg() + "/" + snapshot.name()));
    between.merging();
    return finish(read());
  }

  /**
   * Finishes a merge under way: reactivates the origin (a merge that could not start, the origin being open, waits for
   * the next activation), then waits until {@code lvs} shows it ended, at most {@link #MERGE_LIMIT}.
   */
  private State finish(State s) throws IOException {
    if (!s.merging()) {
      return s;
    }
    s = unmount(s);
    String lv = spec.vg() + "/" + spec.lv();
    lvm.runForIo(List.of(tool("lvchange"), "--activate", "n", lv));
    lvm.runForIo(List.of(tool("lvchange"), "--activate", "y", lv));
    long deadline = System.nanoTime() + MERGE_LIMIT.toNanos();
    while (true) {
      s = read();
      if (!s.merging()) {
        return s;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("volume " + volume + ": the merge into " + lv + " is still running after "
            + MERGE_LIMIT.toMinutes() + " minutes; it goes on, and the switch finishes when asked again");
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the merge into " + lv);
      }
    }
  }

  /** Snapshots the origin (now equal to the cut, writers stopped) under the capture's name and snapshot size. */
  private State recreate() throws IOException {
    List<String> argv = new ArrayList<>(List.of(tool("lvcreate"), "--snapshot", "--permission", "r", "--name",
        capture));
    argv.addAll(LvmSnapshotSize.parse(spec.snapshotSize()).lvcreateArgs());
    argv.add(spec.vg() + "/" + spec.lv());
    lvm.runForIo(argv);
    State s = read();
    if (s.capture() == null) {
      throw stuck(s);
    }
    merges.started("recreated:" + s.capture().uuid()); // a capture missing later was deleted, not merged
    return s;
  }

  private State unmount(State s) throws IOException {
    if (!s.mounted()) {
      return s;
    }
    util.runForIo(List.of(util.resolveForIo("umount").toString(), live.toString()));
    return new State(s.origin(), s.capture(), s.aside(), s.merging(), false);
  }

  private void mount(State s) throws IOException {
    if (s.mounted()) {
      return;
    }
    List<String> argv = new ArrayList<>(List.of(util.resolveForIo("mount").toString()));
    if (!spec.fsType().isEmpty()) {
      argv.addAll(List.of("-t", spec.fsType()));
    }
    if (!spec.mountOptions().isEmpty()) {
      argv.addAll(List.of("-o", spec.mountOptions()));
    }
    argv.addAll(List.of("/dev/" + spec.vg() + "/" + spec.lv(), live.toString()));
    util.runForIo(argv);
  }

  // ---- lvs, findmnt ------------------------------------------------------------------------------------------

  private State read() throws IOException {
    Map<String, LvmLiveReports.Row> rows = reports.rows();
    LvmLiveReports.Row o = rows.get(spec.lv());
    if (o == null) {
      throw new IOException("volume " + volume + ": logical volume " + spec.vg() + "/" + spec.lv() + " is missing");
    }
    LvmLiveReports.Row c = rows.get(capture);
    LvmLiveReports.Row a = rows.get(aside);
    boolean merging = o.merging() || (c != null && c.merging()) || (a != null && a.merging());
    String[] m = reports.mountAt();
    if (m != null && !reports.isLv(m[0])) {
      throw new IOException("volume " + volume + ": " + StorageTools.quote(m[0]) + " is mounted at " + live + ", not "
          + spec.vg() + "/" + spec.lv());
    }
    return new State(o, c != null && c.origin().equals(spec.lv()) ? c : null, a != null && a.origin().equals(
        spec.lv()) ? a : null, merging, m != null);
  }

  private String tool(String name) throws IOException {
    return lvm.resolveForIo(name).toString();
  }

  private IOException stuck(State s) {
    return new IOException("volume " + volume + ": the in-place switch of " + spec.vg() + "/" + spec.lv() + " is in "
        + "no state it can leave: capture " + capture + (s.capture() == null ? " missing" : " present") + ", aside "
        + aside + (s.aside() == null ? " missing" : " present") + ", " + (s.merging() ? "merging" : "not merging")
        + ", " + (s.mounted() ? "mounted" : "not mounted") + " at " + live);
  }
}
