package io.groupsnap.agent.volume.lvm;

import io.groupsnap.agent.volume.StorageTools;
import io.groupsnap.agent.volume.VolumeException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the reports of {@code vgs} and {@code lvs} run with {@code --noheadings --nosuffix --units b --separator |}:
 * one row per line, fields separated by '|', sizes in bytes. Output of any other shape is an error, never guessed at.
 */
final class LvmReports {
  private LvmReports() {}

  /** A volume group's extents. */
  record Group(long extentBytes, long extents, long freeExtents) {}

  /** One logical volume: {@code attr} is LVM's attribute string ({@code owi-aos---}). */
  record Lv(String name, String attr, long bytes, String origin) {
    boolean isSnapshot() {
      return !attr.isEmpty() && (attr.charAt(0) == 's' || attr.charAt(0) == 'S');
    }

    boolean isActive() {
      return attr.length() > 4 && attr.charAt(4) == 'a';
    }
  }

  /** Fields {@code vg_name,vg_extent_size,vg_extent_count,vg_free_count} of volume group {@code vg}. */
  static Group group(String vg, String stdout) throws VolumeException {
    List<String[]> rows = rows("vgs", stdout, 4);
    if (rows.size() != 1 || !rows.get(0)[0].equals(vg)) {
      throw new VolumeException("unexpected vgs output for volume group " + vg + ": "
          + StorageTools.quote(stdout.replace('\n', ' ')), false);
    }
    String[] r = rows.get(0);
    return new Group(number("vgs", r[1], r), number("vgs", r[2], r), number("vgs", r[3], r));
  }

  /** Fields {@code lv_name,lv_attr,lv_size,origin}. */
  static List<Lv> lvs(String stdout) throws VolumeException {
    List<Lv> out = new ArrayList<>();
    for (String[] r : rows("lvs", stdout, 4)) {
      out.add(new Lv(r[0], r[1], number("lvs", r[2], r), r[3]));
    }
    return out;
  }

  private static List<String[]> rows(String tool, String stdout, int fields) throws VolumeException {
    List<String[]> out = new ArrayList<>();
    int n = 0;
    for (String line : stdout.split("\n")) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.strip().split("\\|", -1);
      if (f.length != fields || f[0].isBlank()) {
        throw new VolumeException("unexpected " + tool + " output on line " + n + ": " + StorageTools.quote(line)
            + " (expected " + fields + " fields separated by '|')", false);
      }
      for (int i = 0; i < f.length; i++) {
        f[i] = f[i].strip();
      }
      out.add(f);
    }
    return out;
  }

  private static long number(String tool, String field, String[] row) throws VolumeException {
    if (!field.matches("\\d{1,19}")) {
      throw new VolumeException("unexpected " + tool + " output: " + StorageTools.quote(String.join("|", row))
          + " (" + StorageTools.quote(field) + " is not a number)", false);
    }
    try {
      return Long.parseLong(field);
    } catch (NumberFormatException e) {
      throw new VolumeException("unexpected " + tool + " output: " + StorageTools.quote(field) + " is too large",
          false);
    }
  }
}
