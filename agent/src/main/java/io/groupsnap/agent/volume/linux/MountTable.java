package io.groupsnap.agent.volume.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * This process's view of the mounted file systems, read from {@code /proc/self/mountinfo}. Read anew on every call
 * (mounts change); meant for configuration load and PREPARE, never for the freeze window.
 */
public final class MountTable {
  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

  /**
   * One mounted file system.
   *
   * @param mountPoint where it is mounted
   * @param root the directory of the file system mounted there ({@code /} unless a bind mount or a btrfs subvolume)
   * @param fsType {@code ext4}, {@code xfs}, {@code btrfs}, …
   * @param source the device or source ({@code /dev/loop3})
   * @param options the mount's options ({@code rw,relatime})
   */
  public record Mount(Path mountPoint, String root, String fsType, String source, String options) {
    public boolean readOnly() {
      return List.of(options.split(",")).contains("ro");
    }
  }

  private MountTable() {}

  /** Every mount, in the order the kernel lists them (a later mount on the same point hides earlier ones). */
  public static List<Mount> read() throws IOException {
    return parse(Files.readAllLines(MOUNTINFO));
  }

  static List<Mount> parse(List<String> lines) {
    List<Mount> out = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.split(" ");
      int dash = List.of(f).indexOf("-");
      if (dash < 6 || dash + 2 >= f.length) {
        continue;
      }
      out.add(new Mount(Path.of(unescape(f[4])), unescape(f[3]), f[dash + 1], unescape(f[dash + 2]), f[5]));
    }
    return out;
  }

  /** The mount whose mount point is exactly {@code path} (symbolic links resolved by the caller), if any. */
  public static Optional<Mount> at(Path path) throws IOException {
    Mount found = null;
    for (Mount m : read()) {
      if (m.mountPoint().equals(path)) {
        found = m;
      }
    }
    return Optional.ofNullable(found);
  }

  /** The mount {@code path} lies on: the longest mount point that contains it. */
  public static Optional<Mount> containing(Path path) throws IOException {
    Mount found = null;
    for (Mount m : read()) {
      if (path.startsWith(m.mountPoint())
          && (found == null || m.mountPoint().getNameCount() >= found.mountPoint().getNameCount())) {
        found = m;
      }
    }
    return Optional.ofNullable(found);
  }

  /** Undoes the kernel's octal escapes of space, tab, newline and backslash. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && isOctal(s, i + 1)) {
        out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }
}
