package io.groupsnap.agent.volume.zfs;

import io.groupsnap.agent.volume.StorageTools;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the scripted output of {@code zfs} and {@code zpool} ({@code -H}: no header, fields separated by one tab;
 * {@code -p}: exact numbers). Output of any other shape is an error, never guessed at.
 */
final class ZfsReports {
  private ZfsReports() {}

  /** {@code zfs get -H -o property,value}: each wanted property's value. */
  static Map<String, String> properties(String stdout, Set<String> wanted) throws VolumeException {
    Map<String, String> out = new HashMap<>();
    for (String line : stdout.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length != 2) {
        throw new VolumeException("unexpected zfs get output: " + StorageTools.quote(line)
            + " (expected property<TAB>value)", false);
      }
      out.put(f[0].strip(), f[1].strip());
    }
    for (String w : wanted) {
      if (!out.containsKey(w)) {
        throw new VolumeException("unexpected zfs get output: no value for " + w + " in "
            + StorageTools.quote(stdout.replace('\n', ' ')), false);
      }
    }
    return out;
  }

  /** {@code zpool list -H -p -o health,free <pool>}: the two fields. */
  static String[] poolStatus(String stdout) throws VolumeException {
    String[] lines = stdout.strip().split("\n");
    String[] f = lines[0].split("\t", -1);
    if (lines.length != 1 || f.length != 2) {
      throw new VolumeException("unexpected zpool list output: " + StorageTools.quote(stdout.replace('\n', ' '))
          + " (expected health<TAB>free)", false);
    }
    return new String[] {f[0].strip(), f[1].strip()};
  }

  /** One row of {@code zfs list -H} output with {@code fields} tab-separated fields, stripped. */
  static String[] row(String tool, String stdout, int fields) throws VolumeException {
    String[] lines = stdout.strip().split("\n");
    String[] f = lines[0].split("\t", -1);
    if (lines.length != 1 || f.length != fields) {
      throw new VolumeException("unexpected " + tool + " output: " + StorageTools.quote(stdout.replace('\n', ' '))
          + " (expected one line of " + fields + " tab-separated fields)", false);
    }
    for (int i = 0; i < f.length; i++) {
      f[i] = f[i].strip();
    }
    return f;
  }

  static long number(String tool, String field) throws VolumeException {
    if (!field.matches("\\d{1,18}")) {
      throw new VolumeException("unexpected " + tool + " output: " + StorageTools.quote(field) + " is not a number",
          false);
    }
    return Long.parseLong(field);
  }

  /**
   * {@code zfs list -H -t snapshot -o name,creation -p -d 1 <dataset>}: the snapshots of {@code dataset} named by
   * groupsnap, with their locations from {@code location} (group snapshot id to path).
   */
  static List<Volume.Found> snapshots(String stdout, String dataset, Function<String, Path> location)
      throws IOException {
    List<Volume.Found> out = new ArrayList<>();
    int n = 0;
    for (String line : stdout.split("\n")) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length != 2 || !f[1].strip().matches("\\d{1,12}")) {
        throw new IOException("unexpected zfs list output on line " + n + ": " + StorageTools.quote(line)
            + " (expected name<TAB>creation in seconds)");
      }
      String full = f[0].strip();
      if (!full.startsWith(dataset + "@")) {
        continue;
      }
      String id = ZfsNames.idOf(full.substring(dataset.length() + 1));
      if (id != null) {
        out.add(new Volume.Found(id, location.apply(id), Long.parseLong(f[1].strip()) * 1000));
      }
    }
    return out;
  }
}
