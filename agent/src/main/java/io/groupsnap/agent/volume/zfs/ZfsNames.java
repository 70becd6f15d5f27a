package io.groupsnap.agent.volume.zfs;

import io.groupsnap.common.Names;
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

  /** Null when the full snapshot name fits ZFS's limit, else why not. */
  public static String snapshotProblem(String dataset, String groupSnapshotId) {
    String full = dataset + "@" + snapshotName(groupSnapshotId);
    return full.length() > MAX ? "snapshot name " + full + " has " + full.length() + " characters (ZFS's limit is "
        + MAX + "); shorten the dataset name or the group snapshot id" : null;
  }
}
