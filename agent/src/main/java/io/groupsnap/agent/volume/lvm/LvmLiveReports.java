package io.groupsnap.agent.volume.lvm;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.volume.StorageTools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What an in-place restore of an {@code lvm} volume reads of the system: the volume group's LVs from {@code lvs}
 * (name, attributes, size, origin, UUID, whether merging, whether invalid) and what is mounted at the live path from
 * {@code findmnt}. Output of any other shape is an error, never guessed at. Holds no state besides its settings.
 */
final class LvmLiveReports {
  static final String LVS_FIELDS = "lv_name,lv_attr,lv_size,origin,lv_uuid,lv_merging,lv_snapshot_invalid,"
      + "snap_percent";

  /** One LV as {@code lvs} shows it; {@code merging}: a merging origin or snapshot, {@code invalid}: a full one. */
  record Row(String name, String attr, long bytes, String origin, String uuid, boolean merging, boolean invalid) {}

  private final String vg;
  private final String lv;
  private final Path live;
  private final StorageTools lvm;
  private final StorageTools util;

  LvmLiveReports(String vg, String lv, Path live, StorageTools lvm, StorageTools util) {
    this.vg = vg;
    this.lv = lv;
    this.live = live;
    this.lvm = lvm;
    this.util = util;
  }

  /** The volume group's LVs by name. */
  Map<String, Row> rows() throws IOException {
    String out = lvm.runForIo(List.of(lvm.resolveForIo("lvs").toString(), "--noheadings", "--nosuffix", "--units",
        "b", "--separator", "|", "-o", LVS_FIELDS, vg)).stdout();
    Map<String, Row> rows = new HashMap<>();
    for (String line : out.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.strip().split("\\|", -1);
      if (f.length != 8 || !f[2].strip().matches("\\d{1,19}")) {
        throw new IOException("unexpected lvs output: " + StorageTools.quote(line) + " (expected " + LVS_FIELDS
            + " separated by '|')");
      }
      String attr = f[1].strip();
      boolean merging = flag(f[5]) || attr.startsWith("O") || attr.startsWith("S");
      boolean invalid = flag(f[6]) || (attr.length() > 4 && attr.charAt(4) == 'I') || percent(f[7]) >= 100;
      String name = f[0].strip();
      rows.put(name, new Row(name, attr, Long.parseLong(f[2].strip()), f[3].strip(), f[4].strip(), merging,
          invalid));
    }
    return rows;
  }

  private static boolean flag(String field) {
    String v = field.strip();
    return !v.isEmpty() && !v.equals("0") && !v.equals("-");
  }

  private static double percent(String field) {
    try {
      return field.isBlank() ? 0 : Double.parseDouble(field.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** What is mounted at the live path ({@code source, type, options}), or null. */
  String[] mountAt() throws IOException {
    List<String> argv = List.of(util.resolveForIo("findmnt").toString(), "-n", "-r", "-o", "SOURCE,FSTYPE,"
        + "VFS-OPTIONS", "--mountpoint", live.toString());
    CommandRunner.Result r = util.runAnyExitForIo(argv);
    if (r.stdout().isBlank()) {
      return null; // findmnt exits 1 when nothing is mounted there
    }
    String[] f = r.stdout().strip().split("\n")[0].split(" ");
    if (f.length != 3) {
      throw new IOException("unexpected findmnt output: " + StorageTools.quote(r.stdout()));
    }
    return f;
  }

  /** Whether a mount's source is the LV (by its LVM path or its device-mapper node). */
  boolean isLv(String source) {
    return source.equals("/dev/" + vg + "/" + lv) || source.equals("/dev/mapper/" + LvmNames.dmName(vg, lv));
  }
}
