package io.groupsnap.agent.volume;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Helpers shared by volume kinds that keep one capture per group snapshot in a directory of their own. */
public final class Captures {
  /** Suffix of a capture still being written; the reaper removes those a crash left behind. */
  public static final String PARTIAL = ".partial";
  /**
   * The prefix of the directory an in-place restore stages into, inside a volume whose live data is a mount point
   * ({@code <mount>/.groupsnap-staged-<restore id>}).
   */
  public static final String IN_PLACE_STAGED = ".groupsnap-staged-";
  /** The prefix of the directory such a restore keeps the replaced entries in until it is confirmed. */
  public static final String IN_PLACE_REPLACED = ".groupsnap-replaced-";

  /**
   * Whether {@code p}, a directory met in the tree of a volume whose live data is {@code root}, is one an in-place
   * restore keeps at the volume's top level (staged or replaced data): no capture of the volume may take it in.
   */
  public static boolean setAsideByInPlaceRestore(Path root, Path p) {
    if (p.getParent() == null || !p.getParent().equals(root) || p.getFileName() == null) {
      return false;
    }
    String n = p.getFileName().toString();
    return n.startsWith(IN_PLACE_STAGED) || n.startsWith(IN_PLACE_REPLACED);
  }

  private Captures() {}

  /** True when {@code location} lies strictly below {@code dir} (both normalized; no {@code ..} escapes). */
  public static boolean isChildOf(Path dir, Path location) {
    Path d = dir.toAbsolutePath().normalize();
    Path l = location.toAbsolutePath().normalize();
    return l.startsWith(d) && !l.equals(d);
  }

  /** Creates {@code dir} and its missing parents; a directory it creates is private to the agent's user. */
  public static void createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Files.createDirectories(dir);
    try {
      Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
  }

  /** The entries of {@code dir}, each named after its group snapshot (a {@code .partial} suffix stripped). */
  public static List<Volume.Found> listDirectory(Path dir) throws IOException {
    List<Volume.Found> out = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        String id = name.endsWith(PARTIAL) ? name.substring(0, name.length() - PARTIAL.length()) : name;
        long modified;
        try {
          modified = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis();
        } catch (IOException e) {
          continue; // gone meanwhile
        }
        out.add(new Volume.Found(id, p.toAbsolutePath().normalize(), modified));
      }
    }
    return out;
  }

  /**
   * Deletes a tree without following symbolic links; a missing tree is fine, and so is an entry another deleter
   * removed meanwhile (the reaper and a deletion of the same group snapshot): both end with the tree gone.
   */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    CaptureTree.deleteWalk(root, p -> { }, p -> { });
  }
}
