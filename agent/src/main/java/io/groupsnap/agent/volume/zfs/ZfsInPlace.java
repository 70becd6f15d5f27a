package io.groupsnap.agent.volume.zfs;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.StorageTools;
import io.groupsnap.agent.volume.VolumeException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The in-place restore of a {@code zfs} volume (docs/protocol.md, "In-place restore"; docs/kinds/zfs.md): a clone of
 * the capture's snapshot staged beside the dataset, renamed over it and promoted. Never {@code zfs rollback}, which
 * destroys the replaced data and every later snapshot.
 *
 * <p>Three datasets, all siblings under the dataset's parent: the live one {@code L} ({@code <dataset>}), the staged
 * clone {@code S} ({@link ZfsNames#inPlaceStaged}) and the replaced one {@code R} ({@link ZfsNames#inPlaceReplaced}).
 * Only the live one ever has {@code canmount=on} and is mounted; the other two have {@code canmount=noauto}, so that a
 * reboot at any point mounts nothing but the live name at the live mount point. Where a switch stands is read from
 * {@code zfs list} alone ({@link #where}): which names exist and whether the live one is <em>up</em> (mounted,
 * {@code canmount=on}, and no longer a clone of the other sibling's snapshot, i.e. promoted):
 *
 * <pre>
 *   where      L           S            R
 *   OLD        old, up     restored     -
 *   HALF       (not up)    restored     old         between: forward renames S → L, back renames R → L
 *   NEW        restored,up -            old
 *   SETTLED    up          -            -
 * </pre>
 *
 * <p>Forward: unmount L, {@code canmount=noauto}, rename L → R, rename S → L, promote L, {@code canmount=on},
 * mount.
 * Back: the same with S and R exchanged. Each step is skipped when already done, so both are idempotent and finish
 * from any point a crash cut them. The promote makes the restored dataset the owner of the capture's snapshot and of
 * every older one: they keep their names ({@code <dataset>@gs-<id>}), so the catalog, the reaper and the scrub find
 * them where they were; R becomes a clone of the capture, holding nothing of its own but its data. Switching back
 * promotes the old data again, giving the snapshots back to it. Confirming destroys R without {@code -r}: it has no
 * snapshot (the check refuses a dataset with snapshots newer than the capture, which only R could keep), so nothing
 * else can go with it, and never the capture. All commands are argument vectors; the names are checked by
 * {@link ZfsNames}. Not thread-safe: an in-place restore works on a volume from one thread.
 */
public final class ZfsInPlace {
  /** The limit of each command of a switch (a promote or destroy of a large dataset takes a while). */
  static final Duration TIMEOUT = Duration.ofMinutes(5);
  /** Properties that a clone cannot be given: fixed at creation and taken from the origin, or handled apart. */
  private static final Set<String> NOT_CARRIED = Set.of("canmount", "mountpoint", "casesensitivity", "normalization",
      "utf8only", "encryption", "keyformat", "keylocation", "pbkdf2iters", "volsize", "volblocksize");

  /** Where a switch stands; see the class comment. */
  public enum Where { OLD, HALF, NEW, SETTLED }

  /** Called between the two renames of a switch (tests make a crash there). */
  @FunctionalInterface
  public interface Between {
    void renamed() throws IOException;
  }

  /** One dataset as {@code zfs list} shows it. */
  private record Row(String origin, String canmount, boolean mounted) {}

  private final String volume;
  private final String restoreId;
  private final String live;
  private final String staged;
  private final String replaced;
  private final StorageTools tools;

  ZfsInPlace(String volume, String dataset, String restoreId, StorageTools tools) {
    this.volume = volume;
    this.restoreId = restoreId;
    this.live = dataset;
    this.staged = ZfsNames.inPlaceStaged(dataset, restoreId);
    this.replaced = ZfsNames.inPlaceReplaced(dataset, restoreId);
    this.tools = tools;
  }

  /**
   * The switch of in-place restore {@code restoreId} of {@code dataset}, known from a journal alone (an agent settling
   * a switch before its configuration is read).
   *
   * @throws IOException when the dataset name or restore id is not one ZFS and groupsnap accept
   */
  public static ZfsInPlace of(String volume, String dataset, String restoreId, CommandRunner commands)
      throws IOException {
    String problem = ZfsNames.datasetProblem(dataset);
    if (problem == null) {
      problem = ZfsNames.datasetProblem(ZfsNames.inPlaceReplaced(dataset, restoreId));
    }
    if (problem != null) {
      throw new IOException("volume " + volume + ": dataset " + problem);
    }
    return new ZfsInPlace(volume, dataset, restoreId, new StorageTools(commands, ZfsVolume.PACKAGE, TIMEOUT,
        Path.of("/")));
  }

  public String live() {
    return live;
  }

  public String staged() {
    return staged;
  }

  public String replaced() {
    return replaced;
  }

  // ---- stage -------------------------------------------------------------------------------------------------

  /**
   * Checks, writing nothing, that capture {@code snapshot} ({@code <dataset>@gs-<id>}) can be staged and later
   * switched in place: the dataset is a mounted file system that mounts itself ({@code canmount=on}, a mount point
   * that is a path: not {@code legacy}, whose fstab entry would go on naming the dataset), is no pool's root and has
   * no child dataset (a clone is not recursive); the snapshot exists and no snapshot is newer than it (the replaced
   * dataset would keep it, and it would be lost when the restore is confirmed); the replaced name is free and the
   * staged one too, unless {@code restaging} this very restore and it is a clone of that snapshot.
   *
   * @return how the stage is made: {@link Restorer#materialize} clones the snapshot to the staged name (the path
   *     given is not used: the clone is not mounted)
   */
  Restorer stager(String snapshot, boolean restaging) throws VolumeException {
    String zfs = tools.resolve(List.of("zfs")).get("zfs").toString();
    String named = ZfsNames.inPlaceProblem(live, restoreId, "");
    if (named != null) {
      throw refused(named);
    }
    Map<String, String> props = ZfsReports.properties(run(List.of(zfs, "get", "-H", "-p", "-o", "property,value",
        "type,mountpoint,mounted,canmount", live), true), Set.of("type", "mountpoint", "mounted", "canmount"));
    if (!props.get("type").equals("filesystem")) {
      throw refused("dataset " + live + " is a " + props.get("type") + ", not a file system");
    }
    if (!props.get("mounted").equals("yes") || !props.get("canmount").equals("on")) {
      throw refused("dataset " + live + " is " + (props.get("mounted").equals("yes") ? "" : "not mounted and is ")
          + "canmount=" + props.get("canmount") + ": only a dataset that mounts itself (canmount=on) is switched");
    }
    if (!props.get("mountpoint").startsWith("/")) {
      throw refused("dataset " + live + " has mount point " + StorageTools.quote(props.get("mountpoint"))
          + ": only a dataset that ZFS mounts at a path is switched (a legacy mount names the dataset elsewhere)");
    }
    List<String> children = lines(run(List.of(zfs, "list", "-H", "-o", "name", "-t", "filesystem,volume", "-d", "1",
        live), true));
    children.remove(live);
    if (!children.isEmpty()) {
      throw refused("dataset " + live + " has child datasets (" + firstFew(children) + "): a clone is not "
          + "recursive, so they would vanish from the restored tree");
    }
    List<String[]> snaps = new ArrayList<>();
    for (String line : lines(run(List.of(zfs, "list", "-H", "-p", "-o", "name,logicalreferenced", "-t", "snapshot",
        "-s", "createtxg", "-d", "1", live), true))) {
      snaps.add(ZfsReports.row("zfs list", line, 2));
    }
    int at = -1;
    String longest = "";
    for (int i = 0; i < snaps.size(); i++) {
      String name = snaps.get(i)[0];
      at = name.equals(snapshot) ? i : at;
      String shortName = name.substring(name.indexOf('@') + 1);
      longest = shortName.length() > longest.length() ? shortName : longest;
    }
    if (at < 0) {
      throw new VolumeException("capture " + snapshot + " of volume " + volume + " is gone", false);
    }
    String problem = ZfsNames.inPlaceProblem(live, restoreId, longest);
    if (problem != null) {
      throw refused(problem);
    }
    if (at < snaps.size() - 1) {
      List<String> newer = snaps.subList(at + 1, snaps.size()).stream().map(f -> f[0]).toList();
      throw refused("dataset " + live + " has snapshots newer than the capture (" + firstFew(newer) + "): the "
          + "replaced dataset would keep them and confirming would lose them; delete them (or those group snapshots)"
          + " first, or restore to a new place");
    }
    long bytes = ZfsReports.number("zfs list", snaps.get(at)[1]);
    Map<String, Row> rows = rows(zfs);
    if (rows.containsKey(replaced)) {
      throw refused("dataset " + replaced + " already exists (left by an earlier restore with this id?); destroy it "
          + "first");
    }
    Row s = rows.get(staged);
    if (s != null && !(restaging && s.origin().equals(snapshot))) {
      throw refused("dataset " + staged + " already exists" + (s.origin().equals(snapshot) ? " (a clone of the "
          + "capture left by an earlier restore with this id?)" : " and is no clone of " + snapshot) + "; destroy it"
          + " first");
    }
    List<String> carried = carried(zfs);
    return new Restorer() {
      @Override
      public String method() {
        return "zfs-clone";
      }

      @Override
      public long bytesNeeded() {
        return 0; // the clone shares the snapshot's blocks
      }

      @Override
      public long bytes() {
        return bytes;
      }

      @Override
      public boolean atTarget() {
        return true;
      }

      @Override
      public String materialize(Path ignored) throws VolumeException {
        try {
          destroyStaged(); // a clone a killed agent made but never journaled
        } catch (IOException e) {
          throw new VolumeException(e.getMessage(), true, e);
        }
        List<String> argv = new ArrayList<>(List.of(zfs, "clone", "-o", "canmount=noauto"));
        carried.forEach(p -> argv.addAll(List.of("-o", p)));
        argv.addAll(List.of(snapshot, staged));
        tools.run(argv, true);
        return method();
      }
    };
  }

  /**
   * The live dataset's own properties (set locally or received), to be set on the clone: a clone takes its
   * properties from its parent, not from its origin, and the restored dataset must be configured as the replaced one
   * (compression, quotas, record size, its mount point when it is not inherited, user properties).
   */
  private List<String> carried(String zfs) throws VolumeException {
    Map<String, String> own = ZfsReports.properties(run(List.of(zfs, "get", "-H", "-p", "-o", "property,value", "-s",
        "local,received", "all", live), true), Set.of());
    List<String> out = new ArrayList<>();
    if (own.containsKey("mountpoint")) {
      out.add("mountpoint=" + own.get("mountpoint"));
    }
    own.keySet().stream().sorted().filter(p -> !NOT_CARRIED.contains(p)).forEach(p -> out.add(p + "=" + own.get(p)));
    return out;
  }

  /** Destroys the staged clone, if any, while the live dataset is in place (OLD): before or instead of a switch. */
  public void destroyStaged() throws IOException {
    Map<String, Row> rows = rowsForIo();
    if (!rows.containsKey(staged)) {
      return;
    }
    if (!rows.containsKey(live) || rows.containsKey(replaced)) {
      throw new IOException("volume " + volume + ": dataset " + staged + " is switched or half switched ("
          + describe(rows) + "): switch back before discarding it");
    }
    if (!rows.get(staged).origin().startsWith(live + "@")) {
      throw new IOException("refusing to destroy " + staged + ": its origin " + StorageTools.quote(rows.get(staged)
          .origin()) + " is no snapshot of " + live);
    }
    runForIo(List.of(zfs(), "destroy", staged)); // not -r: anything made from it stops this, and is named
  }

  // ---- switch ------------------------------------------------------------------------------------------------

  /** Where the switch stands, from {@code zfs list} alone. */
  public Where where() throws IOException {
    return where(rowsForIo());
  }

  private Where where(Map<String, Row> rows) throws IOException {
    boolean l = rows.containsKey(live);
    boolean s = rows.containsKey(staged);
    boolean r = rows.containsKey(replaced);
    if (l && !s && !r) {
      return Where.SETTLED;
    }
    if (!l && s && r) {
      return Where.HALF;
    }
    if (l && s != r) {
      return up(rows) ? (s ? Where.OLD : Where.NEW) : Where.HALF;
    }
    throw new IOException("volume " + volume + ": the in-place switch of " + live + " is in no state it can leave: "
        + describe(rows));
  }

  /** The live dataset is mounted, mounts itself, and is no clone of a sibling (promoted). */
  private boolean up(Map<String, Row> rows) {
    Row l = rows.get(live);
    return l.mounted() && l.canmount().equals("on") && !l.origin().startsWith(staged + "@")
        && !l.origin().startsWith(replaced + "@");
  }

  /** Puts the staged clone in the live dataset's place, keeping the old one aside: OLD or HALF → NEW. */
  public void forward(Between between) throws IOException {
    move(staged, replaced, between, "nothing staged to switch to");
  }

  /** Puts the old dataset back, keeping the restored one aside as staged: NEW or HALF → OLD. */
  public void back(Between between) throws IOException {
    move(replaced, staged, between, "the replaced dataset is gone (confirmed)");
  }

  /** Brings {@code incoming} in as the live dataset, the live one going to {@code outgoing}. */
  private void move(String incoming, String outgoing, Between between, String settled) throws IOException {
    Map<String, Row> rows = rowsForIo();
    Where w = where(rows);
    if (w == Where.SETTLED) {
      throw new IOException("volume " + volume + ": in-place switch of " + live + ": " + settled);
    }
    String zfs = zfs();
    boolean in = rows.containsKey(incoming);
    if (rows.containsKey(live) && in) {
      Row l = rows.get(live); // the data going aside, still live
      if (l.mounted()) {
        runForIo(List.of(zfs, "unmount", live));
      }
      if (!l.canmount().equals("noauto")) {
        runForIo(List.of(zfs, "set", "canmount=noauto", live));
      }
      runForIo(List.of(zfs, "rename", live, outgoing));
      between.renamed();
    }
    if (in) {
      runForIo(List.of(zfs, "rename", incoming, live));
      rows = rowsForIo();
    }
    Row l = rows.get(live);
    if (l == null) {
      throw new IOException("volume " + volume + ": dataset " + live + " is missing after the switch: "
          + describe(rows));
    }
    if (l.origin().startsWith(outgoing + "@")) {
      runForIo(List.of(zfs, "promote", live)); // the capture and older snapshots come to the live name
    }
    if (!l.canmount().equals("on")) {
      runForIo(List.of(zfs, "set", "canmount=on", live));
    }
    if (!l.mounted()) {
      runForIo(List.of(zfs, "mount", live));
    }
  }

  /**
   * After a switch forward is confirmed: destroys the replaced dataset (NEW → SETTLED), without {@code -r}. It must
   * hold no snapshot: one made after the check would be lost, so it is named and nothing is destroyed.
   */
  public void confirm() throws IOException {
    Where w = where();
    if (w != Where.NEW) {
      throw new IOException("volume " + volume + ": in-place switch of " + live + " is " + w + ", not switched: "
          + "nothing to confirm");
    }
    String zfs = zfs();
    List<String> snaps = lines(runForIo(List.of(zfs, "list", "-H", "-o", "name", "-t", "snapshot", "-d", "1",
        replaced)));
    if (!snaps.isEmpty()) {
      throw new IOException("volume " + volume + ": the replaced dataset " + replaced + " holds snapshots made after "
          + "the check (" + firstFew(snaps) + "); keep or destroy them, then confirm again (nothing was destroyed)");
    }
    runForIo(List.of(zfs, "destroy", replaced));
  }

  /** Before a switch, or after one was undone: destroys the staged clone (OLD → SETTLED). */
  public void discardStaged() throws IOException {
    Where w = where();
    if (w == Where.HALF || w == Where.NEW) {
      throw new IOException("volume " + volume + ": in-place switch of " + live + " is " + w + ": switch back "
          + "before discarding the staged clone");
    }
    destroyStaged();
  }

  // ---- zfs ---------------------------------------------------------------------------------------------------

  /** The three datasets as the parent's listing shows them (absent ones left out). */
  private Map<String, Row> rows(String zfs) throws VolumeException {
    try {
      return parseRows(run(List.of(zfs, "list", "-H", "-o", "name,origin,canmount,mounted", "-t", "filesystem",
          "-d", "1", ZfsNames.defaultRestoreParent(live)), true));
    } catch (IOException e) {
      throw new VolumeException(e.getMessage(), false, e);
    }
  }

  private Map<String, Row> rowsForIo() throws IOException {
    return parseRows(runForIo(List.of(zfs(), "list", "-H", "-o", "name,origin,canmount,mounted", "-t", "filesystem",
        "-d", "1", ZfsNames.defaultRestoreParent(live))));
  }

  private Map<String, Row> parseRows(String stdout) throws IOException {
    Map<String, Row> out = new HashMap<>();
    for (String line : lines(stdout)) {
      String[] f = line.split("\t", -1);
      if (f.length != 4) {
        throw new IOException("unexpected zfs list output: " + StorageTools.quote(line) + " (expected name, origin, "
            + "canmount, mounted)");
      }
      String name = f[0].strip();
      if (name.equals(live) || name.equals(staged) || name.equals(replaced)) {
        out.put(name, new Row(f[1].strip(), f[2].strip(), f[3].strip().equals("yes")));
      }
    }
    return out;
  }

  private String describe(Map<String, Row> rows) {
    List<String> parts = new ArrayList<>();
    for (String n : List.of(live, staged, replaced)) {
      Row r = rows.get(n);
      parts.add(n + (r == null ? " missing" : " " + (r.mounted() ? "mounted" : "not mounted") + ", canmount="
          + r.canmount() + ", origin " + r.origin()));
    }
    return String.join("; ", parts);
  }

  private String zfs() throws IOException {
    return tools.resolveForIo("zfs").toString();
  }

  private String run(List<String> argv, boolean retryable) throws VolumeException {
    return tools.run(argv, retryable).stdout();
  }

  private String runForIo(List<String> argv) throws IOException {
    return tools.runForIo(argv).stdout();
  }

  private VolumeException refused(String why) {
    return new VolumeException("cannot be restored in place: " + why, false);
  }

  private static List<String> lines(String stdout) {
    List<String> out = new ArrayList<>();
    for (String line : stdout.split("\n")) {
      if (!line.isBlank()) {
        out.add(line.strip());
      }
    }
    return out;
  }

  private static String firstFew(List<String> names) {
    return names.size() <= 3 ? String.join(", ", names) : String.join(", ", names.subList(0, 3)) + " and "
        + (names.size() - 3) + " more";
  }
}
