package io.groupsnap.agent.writer.postgres;

import io.groupsnap.agent.hub.LocalAccounts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * A password kept in a file, read the one way secrets are read here: the file must be a regular file owned by the
 * agent's user with mode 0600 or 0400 (nothing for group or others), else it is refused in one line saying how to fix
 * it; the password is its first line. Errors never quote the file's contents. Stateless.
 */
final class PasswordFile {
  private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
      PosixFilePermission.OWNER_WRITE);

  private PasswordFile() {}

  /**
   * The password: the file's first line.
   *
   * @throws IOException in one line naming the file and what is wrong with it
   */
  static String read(Path file) throws IOException {
    PosixFileAttributes a;
    try {
      a = Files.readAttributes(file, PosixFileAttributes.class);
    } catch (IOException e) {
      throw new IOException(file + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    if (!a.isRegularFile()) {
      throw new IOException(file + " is not a regular file");
    }
    Set<PosixFilePermission> p = a.permissions();
    if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
      throw new IOException(file + " is readable by group or others (" + PosixFilePermissions.toString(p)
          + "): chmod 600 it");
    }
    if (!OWNER_ONLY.containsAll(p)) {
      throw new IOException(file + " grants more than read and write to its owner (" + PosixFilePermissions.toString(p)
          + "): chmod 600 it");
    }
    int owner = (Integer) Files.getAttribute(file, "unix:uid");
    int agent = LocalAccounts.agentUid();
    if (owner != agent) {
      throw new IOException(file + " is owned by uid " + owner + ", not by the agent's user (uid " + agent
          + "): chown it");
    }
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IOException(file + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    String first = content.lines().findFirst().orElse("");
    if (first.isEmpty()) {
      throw new IOException(file + " is empty");
    }
    return first;
  }

  /** {@code text} with every occurrence of {@code secret} replaced by {@code ***}; unchanged when there is none. */
  static String redact(String text, String secret) {
    return secret == null || secret.isEmpty() || text == null ? text : text.replace(secret, "***");
  }
}
