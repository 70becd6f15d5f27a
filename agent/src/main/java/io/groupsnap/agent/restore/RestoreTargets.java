package io.groupsnap.agent.restore;

import io.groupsnap.agent.volume.Volume;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where this agent may write restored trees: strictly inside one of its restore roots, and neither inside nor around
 * any volume's live tree or capture root, so that a restore never changes live data or a capture. A path is judged as
 * the file system will see it: it must be absolute and free of {@code .} and {@code ..}, and its nearest existing
 * ancestor is resolved (symbolic links followed) before it is compared; a target that is itself a symbolic link is
 * refused. Immutable and thread-safe; it reads the file system at each check, since links may change.
 */
public final class RestoreTargets {
  private final List<Path> roots;
  private final List<Volume> volumes;

  /** @param roots the agent's restore roots (the first holds default targets); absolute */
  public RestoreTargets(List<Path> roots, List<Volume> volumes) {
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("at least one restore root is needed");
    }
    this.roots = List.copyOf(roots);
    this.volumes = List.copyOf(volumes);
  }

  public List<Path> roots() {
    return roots;
  }

  /** Where a volume's capture goes when no target is asked for: {@code <first root>/<group snapshot>/<volume>}. */
  public Path defaultTarget(String groupSnapshotId, String volume) {
    return roots.get(0).resolve(groupSnapshotId).resolve(volume);
  }

  /**
   * Where a test restore copies a volume: {@code <first root>/.verify-<restore id>/<volume>} (or
   * {@code .<restore id>} when the id already starts with {@code verify-}, as the leader's do), scratch space that the
   * test restore removes again whatever its outcome.
   */
  public Path scratchTarget(String restoreId, String volume) {
    return scratchDir(restoreId).resolve(volume);
  }

  /** The scratch directory of one test restore. */
  public Path scratchDir(String restoreId) {
    return roots.get(0).resolve(restoreId.startsWith(SCRATCH_PREFIX.substring(1)) ? "." + restoreId
        : SCRATCH_PREFIX + restoreId);
  }

  /** The name prefix of test restores' scratch directories in the first restore root. */
  public static final String SCRATCH_PREFIX = ".verify-";

  /**
   * Checks a target and returns it resolved (its existing part's real path, then the rest as written).
   *
   * @throws RestoreRefusedException saying in one line why the target is not allowed
   */
  public Path check(String target) throws RestoreRefusedException {
    Path p;
    try {
      p = Path.of(target);
    } catch (InvalidPathException e) {
      throw new RestoreRefusedException("target is not a valid path");
    }
    if (!p.isAbsolute()) {
      throw new RestoreRefusedException("target " + p + " is not an absolute path");
    }
    for (Path name : p) {
      if (name.toString().equals("..") || name.toString().equals(".")) {
        throw new RestoreRefusedException("target " + p + " contains '" + name + "': write it without");
      }
    }
    if (Files.isSymbolicLink(p)) {
      throw new RestoreRefusedException("target " + p + " is a symbolic link");
    }
    Path real = resolve(p);
    for (Volume v : volumes) {
      Path live = resolve(v.path());
      if (real.startsWith(live) || live.startsWith(real)) {
        throw new RestoreRefusedException("target " + shown(p, real) + " overlaps volume " + v.name() + " at "
            + v.path() + ": a restore never writes into live data");
      }
      Path captures = resolve(v.captureTarget("x").getParent().toAbsolutePath().normalize());
      if (real.startsWith(captures) || captures.startsWith(real)) {
        throw new RestoreRefusedException("target " + shown(p, real) + " overlaps the captures of volume " + v.name()
            + " at " + captures);
      }
    }
    boolean inRoot = false;
    for (Path root : roots) {
      Path r = resolve(root.toAbsolutePath().normalize());
      inRoot |= real.startsWith(r) && !real.equals(r);
    }
    if (!inRoot) {
      throw new RestoreRefusedException("target " + shown(p, real) + " is outside this agent's restore roots ("
          + String.join(", ", roots.stream().map(Path::toString).toList()) + ")");
    }
    if (Files.exists(real, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
        throw new RestoreRefusedException("target " + shown(p, real) + " exists and is not a directory");
      }
      if (!isEmpty(real)) {
        throw new RestoreRefusedException("target " + shown(p, real) + " exists and is not empty");
      }
    }
    return real;
  }

  private static boolean isEmpty(Path dir) throws RestoreRefusedException {
    try (DirectoryStream<Path> d = Files.newDirectoryStream(dir)) {
      return !d.iterator().hasNext();
    } catch (IOException e) {
      throw new RestoreRefusedException("target " + dir + " cannot be read: " + e.getMessage());
    }
  }

  /** {@code p} with its nearest existing ancestor replaced by that ancestor's real path. */
  static Path resolve(Path p) {
    List<String> rest = new ArrayList<>();
    Path existing = p;
    while (existing != null && !Files.exists(existing)) {
      rest.add(0, existing.getFileName().toString());
      existing = existing.getParent();
    }
    Path out;
    try {
      out = existing == null ? p.getRoot() : existing.toRealPath();
    } catch (IOException e) {
      out = existing;
    }
    for (String r : rest) {
      out = out.resolve(r);
    }
    return out;
  }

  private static String shown(Path asked, Path real) {
    return asked.equals(real) ? asked.toString() : asked + " (really " + real + ")";
  }
}
