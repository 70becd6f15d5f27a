package io.groupsnap.agent.snapshot;

import com.google.protobuf.InvalidProtocolBufferException;
import io.groupsnap.common.Names;
import io.groupsnap.proto.v1.CaptureFingerprint;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@link SnapshotCatalog} on disk: one small protobuf file per (group snapshot, volume) under
 * {@code <stateDir>/snapshots/<groupSnapshotId>/<volume>.pb}, written atomically with an fsync, and beside it the
 * capture's file manifest, {@code <volume>.files}. Manifest drafts are written in {@code <stateDir>/manifest-drafts}
 * (emptied when the catalog opens: a crash's leftovers) and moved into place. Thread-safe.
 */
final class DiskSnapshotCatalog implements SnapshotCatalog {
  private final Path dir;
  private final Path drafts;

  DiskSnapshotCatalog(Path stateDir) throws IOException {
    this.dir = stateDir.resolve("snapshots");
    this.drafts = stateDir.resolve("manifest-drafts");
    Files.createDirectories(dir);
    Files.createDirectories(drafts);
    try (DirectoryStream<Path> left = Files.newDirectoryStream(drafts, "manifest-*.tmp")) {
      for (Path p : left) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  public synchronized void put(LocalSnapshot s) throws IOException {
    AtomicFiles.write(file(s.getGroupSnapshotId(), s.getVolume()), s.toByteArray());
  }

  @Override
  public synchronized int markKept(String groupSnapshotId) throws IOException {
    int n = 0;
    for (LocalSnapshot s : list(groupSnapshotId)) {
      if (s.getState() != LocalSnapshotState.LOCAL_KEPT) {
        put(s.toBuilder().setState(LocalSnapshotState.LOCAL_KEPT).build());
      }
      n++;
    }
    return n;
  }

  @Override
  public synchronized void remove(String groupSnapshotId, String volume) throws IOException {
    Files.deleteIfExists(manifest(groupSnapshotId, volume));
    Files.deleteIfExists(file(groupSnapshotId, volume));
    Path gs = dir.resolve(groupSnapshotId);
    try (DirectoryStream<Path> s = Files.newDirectoryStream(gs)) {
      if (!s.iterator().hasNext()) {
        Files.deleteIfExists(gs);
      }
    } catch (IOException ignored) {
      // directory already gone or not empty
    }
  }

  @Override
  public synchronized List<LocalSnapshot> list(String groupSnapshotId) throws IOException {
    List<LocalSnapshot> out = new ArrayList<>();
    if (!groupSnapshotId.isEmpty()) {
      Names.require("group snapshot id", groupSnapshotId);
      readDir(dir.resolve(groupSnapshotId), out);
      return out;
    }
    try (DirectoryStream<Path> groups = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path g : groups) {
        readDir(g, out);
      }
    }
    out.sort(Comparator.comparing(LocalSnapshot::getGroupSnapshotId).thenComparing(LocalSnapshot::getVolume));
    return out;
  }

  @Override
  public synchronized boolean setFingerprint(String groupSnapshotId, String volume, CaptureFingerprint expected,
      CaptureFingerprint next) throws IOException {
    LocalSnapshot s = current(groupSnapshotId, volume, expected);
    if (s == null) {
      return false;
    }
    put(s.toBuilder().setFingerprint(next).build());
    return true;
  }

  @Override
  public synchronized boolean setFingerprint(String groupSnapshotId, String volume, CaptureFingerprint expected,
      CaptureFingerprint next, ManifestDraft manifest) throws IOException {
    LocalSnapshot s = current(groupSnapshotId, volume, expected);
    if (s == null) {
      return false;
    }
    Path target = manifest(groupSnapshotId, volume);
    if (manifest == null) {
      Files.deleteIfExists(target);
    } else if (manifest instanceof ManifestDraft.InFile f && f.file.getParent().equals(drafts)) {
      f.closeFile();
      AtomicFiles.move(f.file, target);
      f.moved();
    } else {
      throw new IllegalArgumentException("a draft of another catalog");
    }
    put(s.toBuilder().setFingerprint(next).build());
    return true;
  }

  @Override
  public ManifestDraft draftManifest() throws IOException {
    return ManifestDraft.inFile(drafts);
  }

  @Override
  public synchronized Optional<InputStream> openManifest(String groupSnapshotId, String volume) throws IOException {
    try {
      return Optional.of(Files.newInputStream(manifest(groupSnapshotId, volume)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** The entry when its fingerprint is {@code expected}; null when it is not, or there is no entry. */
  private LocalSnapshot current(String groupSnapshotId, String volume, CaptureFingerprint expected)
      throws IOException {
    Path f = file(groupSnapshotId, volume);
    if (!Files.exists(f)) {
      return null;
    }
    LocalSnapshot s;
    try {
      s = LocalSnapshot.parseFrom(Files.readAllBytes(f));
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("corrupt snapshot record " + f + ": " + e.getMessage(), e);
    }
    return s.getFingerprint().equals(expected) ? s : null;
  }

  private static void readDir(Path g, List<LocalSnapshot> out) throws IOException {
    if (!Files.isDirectory(g)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(g, "*.pb")) {
      for (Path f : files) {
        try {
          out.add(LocalSnapshot.parseFrom(Files.readAllBytes(f)));
        } catch (InvalidProtocolBufferException e) {
          throw new IOException("corrupt snapshot record " + f + ": " + e.getMessage(), e);
        }
      }
    }
  }

  private Path file(String groupSnapshotId, String volume) {
    return dir.resolve(Names.require("group snapshot id", groupSnapshotId))
        .resolve(Names.require("volume", volume) + ".pb");
  }

  private Path manifest(String groupSnapshotId, String volume) {
    return dir.resolve(Names.require("group snapshot id", groupSnapshotId))
        .resolve(Names.require("volume", volume) + ".files");
  }
}
