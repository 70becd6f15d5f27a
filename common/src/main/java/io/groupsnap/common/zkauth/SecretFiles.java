package io.groupsnap.common.zkauth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads and writes files that hold secrets: only files of mode 0600 or 0400 are read (no group or other bits, no
 * execute bit), and files are written owner-only from their first byte. Errors are one line naming the file and,
 * for a refused mode, the mode; never the contents.
 */
public final class SecretFiles {
  private static final Set<PosixFilePermission> ALLOWED =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  private SecretFiles() {}

  /** The text of {@code file}, after checking its mode. */
  public static String read(Path file) throws CredentialsFileException {
    Set<PosixFilePermission> mode;
    try {
      if (!Files.isRegularFile(file)) {
        throw new CredentialsFileException(file + ": no such credential file");
      }
      mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
    } catch (UnsupportedOperationException e) {
      throw new CredentialsFileException(file + ": cannot check its mode (not a POSIX file system)");
    } catch (IOException e) {
      throw new CredentialsFileException(file + ": cannot read: " + e.getClass().getSimpleName());
    }
    if (!ALLOWED.containsAll(mode) || !mode.contains(PosixFilePermission.OWNER_READ)) {
      throw new CredentialsFileException(file + ": mode " + octal(mode) + " is refused: a credential file must be "
          + "0600 or 0400 (chmod 600 " + file + ")");
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CredentialsFileException(file + ": cannot read: " + e.getClass().getSimpleName());
    }
  }

  /**
   * Creates {@code file} with mode 0600 and writes {@code text}; fails if it exists, so that a secret is never
   * replaced by accident (and a concurrent writer loses cleanly).
   *
   * @throws FileAlreadyExistsException when it exists
   */
  public static void create(Path file, String text) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.createFile(file, PosixFilePermissions.asFileAttribute(ALLOWED));
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
  }

  static String octal(Set<PosixFilePermission> mode) {
    int bits = 0;
    for (PosixFilePermission p : mode) {
      bits |= 1 << (8 - p.ordinal());
    }
    return String.format("%04o", bits);
  }
}
