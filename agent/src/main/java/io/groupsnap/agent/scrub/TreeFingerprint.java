package io.groupsnap.agent.scrub;

import io.groupsnap.agent.manifest.EntryType;
import io.groupsnap.agent.manifest.TreeEntries;
import io.groupsnap.agent.manifest.TreeEntry;
import io.groupsnap.proto.v1.CaptureFingerprint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The fingerprint of a capture that is a file tree: how many regular files, directories and symbolic links it holds,
 * the total size of its regular files and, on request, a SHA-256 over every entry's name, type and size, every
 * file's contents and every link's target.
 *
 * <p>The walk visits entries in name order, never follows a symbolic link and never enters another file system
 * mounted inside the tree (a copy does not either), so an unchanged tree always gives the same fingerprint. It can
 * report every entry on the way ({@link TreeEntries}, with each file's and link's own SHA-256 when the checksum is
 * computed), which is how a capture's file manifest is written and compared in the same pass. It asks
 * {@code stop} before every entry and after every MiB it reads, and gives up with {@link Stopped} when told: it must
 * never compete with a freeze window. Not thread-safe; one instance per walk.
 */
public final class TreeFingerprint {
  private static final int CHUNK = 1 << 20;

  /** The walk was told to stop before it finished. */
  public static final class Stopped extends Exception {
    Stopped() {
      super("stopped", null, false, false);
    }
  }

  private final BooleanSupplier stop;
  private final MessageDigest digest;
  private final MessageDigest entryDigest;
  private final TreeEntries entries;
  private final long device;
  private final byte[] buffer;
  private long files;
  private long directories;
  private long symlinks;
  private long bytes;

  private TreeFingerprint(Path root, boolean checksum, BooleanSupplier stop, TreeEntries entries) throws IOException {
    this.stop = stop;
    this.device = device(root);
    this.entries = entries;
    digest = checksum ? sha256() : null;
    entryDigest = checksum && entries != null ? sha256() : null;
    buffer = checksum ? new byte[CHUNK] : null;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * Fingerprints the tree below {@code root} (a directory).
   *
   * @param checksum also compute the SHA-256 (reads every byte)
   * @throws Stopped when {@code stop} said so before the walk finished
   * @throws IOException when an entry cannot be read
   */
  public static CaptureFingerprint of(Path root, boolean checksum, BooleanSupplier stop, long nowMillis)
      throws IOException, Stopped {
    return of(root, checksum, stop, nowMillis, null);
  }

  /**
   * Fingerprints the tree below {@code root} and reports each entry to {@code entries} (null: to none), in walk
   * order; with {@code checksum}, files and links carry their own SHA-256 (their bytes are hashed twice: once into
   * the tree's checksum, whose definition must not change, once into theirs).
   */
  public static CaptureFingerprint of(Path root, boolean checksum, BooleanSupplier stop, long nowMillis,
      TreeEntries entries) throws IOException, Stopped {
    TreeFingerprint walk = new TreeFingerprint(root, checksum, stop, entries);
    walk.directory(root, "");
    CaptureFingerprint.Builder b = CaptureFingerprint.newBuilder().setFiles(walk.files)
        .setDirectories(walk.directories).setSymlinks(walk.symlinks).setBytes(walk.bytes)
        .setRecordedAtMillis(nowMillis);
    if (walk.digest != null) {
      b.setSha256(HexFormat.of().formatHex(walk.digest.digest()));
    }
    return b.build();
  }

  /**
   * What differs between a recorded fingerprint and one found now, as one line; null when they agree. Checksums are
   * compared only when both have one.
   */
  public static String difference(CaptureFingerprint recorded, CaptureFingerprint found) {
    List<String> out = new ArrayList<>();
    differs(out, "files", recorded.getFiles(), found.getFiles());
    differs(out, "directories", recorded.getDirectories(), found.getDirectories());
    differs(out, "symbolic links", recorded.getSymlinks(), found.getSymlinks());
    differs(out, "bytes", recorded.getBytes(), found.getBytes());
    if (out.isEmpty() && !recorded.getSha256().isEmpty() && !found.getSha256().isEmpty()
        && !recorded.getSha256().equals(found.getSha256())) {
      out.add("contents differ (SHA-256 " + found.getSha256().substring(0, 12) + "..., recorded "
          + recorded.getSha256().substring(0, 12) + "...)");
    }
    return out.isEmpty() ? null : String.join(", ", out);
  }

  private static void differs(List<String> out, String what, long recorded, long found) {
    if (recorded != found) {
      out.add(found + " " + what + " (recorded " + recorded + ")");
    }
  }

  private void directory(Path dir, String relative) throws IOException, Stopped {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      entries.forEach(children::add);
    }
    children.sort(Comparator.comparing(p -> p.getFileName().toString()));
    for (Path child : children) {
      if (stop.getAsBoolean()) {
        throw new Stopped();
      }
      String name = relative.isEmpty() ? child.getFileName().toString() : relative + "/" + child.getFileName();
      BasicFileAttributes a = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (a.isDirectory()) {
        if (device(child) != device) {
          entry(EntryType.MOUNT_POINT, name, 0); // what is mounted there is not part of the capture
          report(EntryType.MOUNT_POINT, name, 0, null);
          continue;
        }
        directories++;
        entry(EntryType.DIRECTORY, name, 0);
        report(EntryType.DIRECTORY, name, 0, null);
        directory(child, name);
      } else if (a.isRegularFile()) {
        files++;
        bytes += a.size();
        entry(EntryType.FILE, name, a.size());
        report(EntryType.FILE, name, a.size(), contents(child));
      } else if (a.isSymbolicLink()) {
        symlinks++;
        entry(EntryType.SYMLINK, name, 0);
        link(child, name);
      } else {
        entry(EntryType.OTHER, name, 0); // a socket, FIFO or device node
        report(EntryType.OTHER, name, 0, null);
      }
    }
  }

  private void link(Path child, String name) throws IOException {
    if (digest == null && entries == null) {
      return;
    }
    byte[] target = Files.readSymbolicLink(child).toString().getBytes(StandardCharsets.UTF_8);
    if (digest != null) {
      digest.update(target);
      digest.update((byte) 0);
    }
    report(EntryType.SYMLINK, name, target.length, entryDigest == null ? null : entryDigest.digest(target));
  }

  private void report(EntryType type, String name, long size, byte[] sha256) throws IOException {
    if (entries != null) {
      entries.accept(new TreeEntry(type, name, size, sha256));
    }
  }

  private void entry(EntryType type, String name, long size) {
    if (digest == null) {
      return;
    }
    digest.update((byte) type.code());
    digest.update(name.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    digest.update(ByteBuffer.allocate(Long.BYTES).putLong(size).array());
  }

  /** Hashes a file's contents into the tree's checksum; returns the file's own SHA-256 when entries want one. */
  private byte[] contents(Path file) throws IOException, Stopped {
    if (digest == null) {
      return null;
    }
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      int n;
      while ((n = in.readNBytes(buffer, 0, CHUNK)) > 0) {
        digest.update(buffer, 0, n);
        if (entryDigest != null) {
          entryDigest.update(buffer, 0, n);
        }
        if (stop.getAsBoolean()) {
          throw new Stopped();
        }
      }
    }
    return entryDigest == null ? null : entryDigest.digest();
  }

  private static long device(Path p) throws IOException {
    try {
      return ((Number) Files.getAttribute(p, "unix:dev", LinkOption.NOFOLLOW_LINKS)).longValue();
    } catch (UnsupportedOperationException e) {
      return 0; // no device numbers on this platform: mount points cannot be told apart
    }
  }
}
