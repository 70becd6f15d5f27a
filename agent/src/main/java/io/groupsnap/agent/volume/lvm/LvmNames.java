package io.groupsnap.agent.volume.lvm;

import io.groupsnap.agent.volume.TargetHash;
import io.groupsnap.common.Names;
import java.nio.file.Path;
import java.util.List;

/**
 * LVM's rules for volume group and logical volume names, and for the names groupsnap gives its snapshots
 * ({@code <lv>-gs-<group snapshot id>}).
 *
 * <p>LVM accepts letters, digits and {@code . _ - +}, no leading '-', not "." or "..", at most 127 characters; LV names
 * must not start with {@code snapshot} or {@code pvmove} nor contain the suffixes LVM gives internal volumes. The
 * device-mapper name of an LV is {@code <vg>-<lv>} with every '-' inside either doubled, and a snapshot brings a
 * {@code -cow} device too; device-mapper names are limited to 127 characters.
 */
public final class LvmNames {
  /** The longest name LVM and device-mapper accept. */
  public static final int MAX = 127;
  /** Between the origin's name and the group snapshot id in a snapshot's name. */
  public static final String INFIX = "-gs-";
  /** The id length a configuration must leave room for (the coordinator's ids have 25 characters). */
  static final int ID_ROOM = 32;
  private static final List<String> RESERVED_PREFIXES = List.of("snapshot", "pvmove");
  private static final List<String> RESERVED_PARTS = List.of("_cdata", "_cmeta", "_corig", "_mimage", "_mlog",
      "_rimage", "_rmeta", "_tdata", "_tmeta", "_vdata", "_pmspare", "_vorigin");

  private LvmNames() {}

  /** Null when {@code vg} is a valid volume group name, else why not. */
  public static String vgProblem(String vg) {
    return basicProblem(vg);
  }

  /** Null when {@code lv} is a valid logical volume name, else why not. */
  public static String lvProblem(String lv) {
    String basic = basicProblem(lv);
    if (basic != null) {
      return basic;
    }
    for (String p : RESERVED_PREFIXES) {
      if (lv.startsWith(p)) {
        return "LVM reserves names starting with '" + p + "'";
      }
    }
    for (String p : RESERVED_PARTS) {
      if (lv.contains(p)) {
        return "LVM reserves names containing '" + p + "'";
      }
    }
    return null;
  }

  private static String basicProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "is empty";
    }
    if (name.startsWith("-")) {
      return "'" + Names.printable(name) + "' starts with '-'";
    }
    if (name.equals(".") || name.equals("..")) {
      return "'" + name + "' is not a name";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
          || c == '_' || c == '-' || c == '+';
      if (!ok) {
        return "'" + Names.printable(name) + "' contains '" + Names.printable(String.valueOf(c))
            + "' (LVM names take letters, digits, '.', '_', '-', '+')";
      }
    }
    if (name.length() > MAX) {
      return "is " + name.length() + " characters long (LVM's limit is " + MAX + ")";
    }
    return null;
  }

  /** The snapshot of {@code lv} for a group snapshot. */
  public static String snapshotName(String lv, String groupSnapshotId) {
    return lv + INFIX + groupSnapshotId;
  }

  /** The group snapshot id in a snapshot name of {@code lv}, or null when the name is not of that form. */
  public static String idOf(String lv, String snapshotName) {
    String prefix = lv + INFIX;
    if (!snapshotName.startsWith(prefix)) {
      return null;
    }
    String id = snapshotName.substring(prefix.length());
    return Names.isValid(id) && !id.startsWith(ASIDE) ? id : null;
  }

  /** After {@link #INFIX} in the name of an in-place restore's aside snapshot; never a capture's id. */
  static final String ASIDE = "aside-";

  /**
   * The snapshot that keeps the replaced data of in-place restore {@code restoreId} of {@code lv}:
   * {@code <lv>-gs-aside-<restore id>}. {@link #idOf} never takes it for a capture, so the reaper leaves it alone.
   */
  public static String inPlaceAside(String lv, String restoreId) {
    return lv + INFIX + ASIDE + restoreId;
  }

  /** Between the origin's name and the target's hash in the name of a restore's copy-on-write LV. */
  public static final String RESTORE_INFIX = "-gr-";
  /** Hex digits of the target path's hash in a restore's names. */
  static final int TARGET_HASH = 12;
  /** After the device-mapper name of a restore's copy-on-write LV: its writable overlay's name. */
  static final String OVERLAY_SUFFIX = "-rw";

  /**
   * The copy-on-write LV of a restore of {@code lv} to {@code target}: {@code <lv>-gr-<hash of the target>}, found
   * again from the target alone.
   */
  public static String restoreCow(String lv, Path target) {
    return lv + RESTORE_INFIX + TargetHash.of(target, TARGET_HASH);
  }

  /**
   * The device-mapper device a restore mounts: {@code <vg>-<cow LV>-rw} ('-' doubled inside the names), a name LVM
   * never gives (its own devices end in a name or in {@code -cow}, {@code -real}).
   */
  public static String restoreOverlay(String vg, String cowLv) {
    return dmName(vg, cowLv) + OVERLAY_SUFFIX;
  }

  /** The device-mapper name of an LV: hyphens inside either part doubled. */
  public static String dmName(String vg, String lv) {
    return vg.replace("-", "--") + "-" + lv.replace("-", "--");
  }

  /** Null when LVM can create snapshot {@code snapshotName} in {@code vg}, else why not. */
  public static String snapshotProblem(String vg, String snapshotName) {
    String basic = lvProblem(snapshotName);
    if (basic != null) {
      return "snapshot name " + Names.printable(snapshotName) + " " + basic;
    }
    String cow = dmName(vg, snapshotName) + "-cow";
    if (cow.length() > MAX) {
      return "snapshot name " + snapshotName + " is too long: its device-mapper name " + cow + " has "
          + cow.length() + " characters (limit " + MAX + "); shorten the vg or lv name or the group snapshot id";
    }
    return null;
  }

  /** Null when {@code vg} and {@code lv} leave room for group snapshot ids of {@link #ID_ROOM} characters. */
  static String roomProblem(String vg, String lv) {
    String cow = dmName(vg, snapshotName(lv, "x".repeat(ID_ROOM))) + "-cow";
    if (cow.length() > MAX) {
      return "vg and lv names are too long: a snapshot's device-mapper name (vg-lv-gs-<id>-cow, '-' doubled) "
          + "would leave less than " + ID_ROOM + " of " + MAX + " characters for the group snapshot id";
    }
    return null;
  }
}
