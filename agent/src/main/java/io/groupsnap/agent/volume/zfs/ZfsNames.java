package io.groupsnap.agent.volume.zfs;

import io.groupsnap.agent.volume.TargetHash;
import io.groupsnap.common.Names;
import java.nio.file.Path;
import java.util.List;

/**
 * ZFS's rules for dataset names, as far as groupsnap accepts them, and the names it gives its snapshots
 * ({@code <dataset>@gs-<group snapshot id>}).
 *
 * <p>A dataset is {@code pool/fs/...}: components of letters, digits and {@code _ . : -}, none empty, "." or "..";
 * the pool starts with a letter and is not one of the names {@code zpool} reserves. ZFS also allows spaces; groupsnap
 * does not, so that a name always reads as one word in logs and messages. A full snapshot name has at most 255
 * characters.
 */
public final class ZfsNames {
  /** The longest full name (dataset@snapshot) ZFS accepts. */
  public static final int MAX = 255;
  /** Before the group snapshot id in a snapshot name. */
  public static final String PREFIX = "gs-";
  private static final List<String> RESERVED_POOL_PREFIXES = List.of("mirror", "raidz", "draid", "spare");

  private ZfsNames() {}

  /** Null when {@code dataset} is an acceptable file system name, else why not. */
  public static String datasetProblem(String dataset) {
    if (dataset == null || dataset.isEmpty()) {
      return "is empty";
    }
    String shown = "'" + Names.printable(dataset) + "'";
    if (dataset.length() > MAX - 1 - PREFIX.length() - 1) {
      return shown + " is too long (" + dataset.length() + " characters; a snapshot name is limited to " + MAX + ")";
    }
    String[] parts = dataset.split("/", -1);
    for (String part : parts) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        return shown + " has an empty, '.' or '..' component (use pool/fs/...)";
      }
      for (int i = 0; i < part.length(); i++) {
        char c = part.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
            || c == '.' || c == ':' || c == '-';
        if (!ok) {
          return shown + " contains '" + Names.printable(String.valueOf(c))
              + "' (dataset names take letters, digits, '_', '.', ':', '-', and '/' between components)";
        }
      }
    }
    String pool = parts[0];
    char first = pool.charAt(0);
    if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) {
      return shown + ": the pool name must start with a letter";
    }
    if (pool.equals("log") || RESERVED_POOL_PREFIXES.stream().anyMatch(pool::startsWith)) {
      return shown + ": zpool reserves the pool name '" + pool + "'";
    }
    return null;
  }

  /** The pool a dataset belongs to. */
  public static String pool(String dataset) {
    int slash = dataset.indexOf('/');
    return slash < 0 ? dataset : dataset.substring(0, slash);
  }

  /** The snapshot's short name (after '@') for a group snapshot. */
  public static String snapshotName(String groupSnapshotId) {
    return PREFIX + groupSnapshotId;
  }

  /** The group snapshot id in a short snapshot name, or null when the name is not one of groupsnap's. */
  public static String idOf(String snapshotName) {
    if (!snapshotName.startsWith(PREFIX)) {
      return null;
    }
    String id = snapshotName.substring(PREFIX.length());
    return Names.isValid(id) ? id : null;
  }

  /** Between the volume dataset's last component and the target's hash in a restore clone's name. */
  public static final String RESTORE_INFIX = "-restore-";
  /** Hex digits of the target path's hash in a restore clone's name. */
  static final int TARGET_HASH = 12;

  /** Where restore clones go by default: beside the dataset, under its parent (the pool root's own children). */
  public static String defaultRestoreParent(String dataset) {
    int slash = dataset.lastIndexOf('/');
    return slash < 0 ? dataset : dataset.substring(0, slash);
  }

  /**
   * The clone a restore of {@code dataset} to {@code target} makes: {@code <parent>/<last component>-restore-<hash>},
   * the hash that of the target's path, so that the clone of a target can be found again from the target alone.
   */
  public static String restoreClone(String dataset, String parent, Path target) {
    return parent + "/" + dataset.substring(dataset.lastIndexOf('/') + 1) + RESTORE_INFIX
        + TargetHash.of(target, TARGET_HASH);
  }

  /** Null when restore clones of {@code dataset} can go under {@code parent}, else why not. */
  public static String restoreParentProblem(String dataset, String parent) {
    String problem = datasetProblem(parent);
    if (problem != null) {
      return problem;
    }
    if (!pool(parent).equals(pool(dataset))) {
      return "'" + parent + "' is not in pool " + pool(dataset) + " of dataset " + dataset + " (a clone stays in the"
          + " pool of its snapshot)";
    }
    String longest = restoreClone(dataset, parent, Path.of("/"));
    if (longest.length() > MAX) {
      return "'" + parent + "' is too long: a restore clone's name " + longest + " would have " + longest.length()
          + " characters (ZFS's limit is " + MAX + ")";
    }
    return null;
  }

  /** Between the dataset's last component and the restore id in the clone an in-place restore stages. */
  public static final String STAGED_INFIX = ".gs-staged-";
  /** Between the dataset's last component and the restore id in the dataset an in-place restore sets aside. */
  public static final String REPLACED_INFIX = ".gs-replaced-";

  /**
   * The clone an in-place restore {@code restoreId} of {@code dataset} stages: a sibling, {@code
   * <dataset>.gs-staged-<restore id>}, so that one rename puts it in the dataset's place and it inherits what the
   * dataset inherits from their common parent. A restore id is a valid ZFS name component by construction.
   */
  public static String inPlaceStaged(String dataset, String restoreId) {
    return dataset + STAGED_INFIX + restoreId;
  }

  /** The sibling the live dataset is renamed to by the switch of in-place restore {@code restoreId}. */
  public static String inPlaceReplaced(String dataset, String restoreId) {
    return dataset + REPLACED_INFIX + restoreId;
  }

  /**
   * Null when {@code dataset} can be restored in place by {@code restoreId}, its longest snapshot short name being
   * {@code longestSnapshot}, else why not: it is no pool's root (which ZFS cannot rename) and the sibling names with
   * any of its snapshots (which pass through them while a promote moves them) fit ZFS's limit.
   */
  public static String inPlaceProblem(String dataset, String restoreId, String longestSnapshot) {
    if (dataset.indexOf('/') < 0) {
      return "dataset " + dataset + " is the root of its pool, which ZFS cannot rename";
    }
    String longest = inPlaceReplaced(dataset, restoreId) + "@" + longestSnapshot;
    if (longest.length() > MAX) {
      return "the name " + longest + " that the switch would give a snapshot has " + longest.length()
          + " characters (ZFS's limit is " + MAX + ")";
    }
    return null;
  }

  /** Null when the full snapshot name fits ZFS's limit, else why not. */
  public static String snapshotProblem(String dataset, String groupSnapshotId) {
    String full = dataset + "@" + snapshotName(groupSnapshotId);
    return full.length() > MAX ? "snapshot name " + full + " has " + full.length() + " characters (ZFS's limit is "
        + MAX + "); shorten the dataset name or the group snapshot id" : null;
  }
}
