package io.groupsnap.agent.writer.exec;

import io.groupsnap.common.Names;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The hooks of an {@code exec} writer's hook directory, and the rule that picks them.
 *
 * <p>Every entry directly in the directory (no recursion) is a hook, sorted by name (Java string order: byte order for
 * ASCII names), except entries that are disabled by their name:
 * <ul>
 *   <li>hidden: the name starts with {@code .};</li>
 *   <li>editor and package-manager leftovers: ending in {@code ~}, {@code .bak}, {@code .orig}, {@code .swp},
 *       {@code .disabled}, {@code .rpmsave}, {@code .rpmnew}, {@code .rpmorig}, containing {@code .dpkg-} or
 *       {@code .ucf-} (such as {@code .dpkg-old}, {@code .dpkg-dist}, {@code .ucf-new}), or {@code #name#}.</li>
 * </ul>
 * Any other entry must be a hook, or the directory is refused: a regular file (a symbolic link to one is followed),
 * executable by the agent, not writable by others. A file that was meant to run but lacks its execute bit therefore
 * fails PREPARE instead of being skipped silently — an application left out of the freeze would make snapshots that
 * look consistent and are not. The directory itself must not be writable by others (hooks run as the agent's user),
 * and must hold at least one hook.
 */
final class HookDir {
  private static final Pattern DISABLED = Pattern.compile(
      "\\..*|.*~|#.*#|.*\\.(bak|orig|swp|disabled|rpmsave|rpmnew|rpmorig)|.*\\.(dpkg|ucf)-.*");

  private HookDir() {}

  /** Whether a directory entry of this name is left out by the naming rule. */
  static boolean disabled(String name) {
    return DISABLED.matcher(name).matches();
  }

  /**
   * The hooks of {@code dir} in run order (prepare and freeze; thaw and abort run them in reverse).
   *
   * @throws IOException with a one-line reason when the directory or one of its entries breaks the rule
   */
  static List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + " is not an existing directory");
    }
    if (othersMayWrite(dir)) {
      throw new IOException(dir + " is writable by others: anyone could add a hook the agent runs");
    }
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        names.add(e.getFileName().toString());
      }
    }
    names.sort(String::compareTo);
    List<Path> hooks = new ArrayList<>();
    for (String name : names) {
      if (disabled(name)) {
        continue;
      }
      Path hook = dir.resolve(name);
      if (name.chars().anyMatch(Character::isISOControl)) {
        throw new IOException("hook " + dir.resolve(Names.printable(name)) + " has control characters in its name");
      }
      if (!Files.isRegularFile(hook)) {
        throw new IOException("hook " + hook + " is not a regular file (rename it to end with ~ to disable it)");
      }
      if (!Files.isExecutable(hook)) {
        throw new IOException("hook " + hook + " is not executable (chmod +x it, or rename it to end with ~ to "
            + "disable it)");
      }
      if (othersMayWrite(hook)) {
        throw new IOException("hook " + hook + " is writable by others");
      }
      hooks.add(hook);
    }
    if (hooks.isEmpty()) {
      throw new IOException(dir + " contains no hooks (nothing would hold the application's writes)");
    }
    return List.copyOf(hooks);
  }

  private static boolean othersMayWrite(Path p) throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
    return perms.contains(PosixFilePermission.OTHERS_WRITE);
  }
}
