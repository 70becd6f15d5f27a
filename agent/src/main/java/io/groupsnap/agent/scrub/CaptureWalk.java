package io.groupsnap.agent.scrub;

import io.groupsnap.agent.manifest.FileDifferences;
import io.groupsnap.agent.manifest.ManifestDiff;
import io.groupsnap.agent.manifest.ManifestReader;
import io.groupsnap.agent.manifest.ManifestSource;
import io.groupsnap.agent.manifest.ManifestWriter;
import io.groupsnap.agent.manifest.TreeEntries;
import io.groupsnap.agent.snapshot.ManifestDraft;
import io.groupsnap.proto.v1.CaptureFingerprint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One walk over a capture, or over a restored copy of one, that does at once what would otherwise take up to three
 * reads: it fingerprints the tree ({@link TreeFingerprint}), compares it entry by entry with the capture's recorded
 * file manifest when there is one ({@link ManifestDiff}), and writes a new manifest into a draft when the caller may
 * record one ({@link ManifestWriter}). The same stop rules as the fingerprint's apply: it gives up with
 * {@link TreeFingerprint.Stopped} when told. Not thread-safe; one instance per walk.
 */
public final class CaptureWalk implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CaptureWalk.class);

  private final Path tree;
  private final CaptureFingerprint found;
  private final FileDifferences files;
  private final ManifestWriter writer;
  private final ManifestDraft draft;

  private CaptureWalk(Path tree, CaptureFingerprint found, FileDifferences files, ManifestWriter writer,
      ManifestDraft draft) {
    this.tree = tree;
    this.found = found;
    this.files = files;
    this.writer = writer;
    this.draft = draft;
  }

  /**
   * Walks {@code tree}.
   *
   * @param checksum compute SHA-256s (the tree's and, for manifests, each file's)
   * @param recorded the capture's recorded manifest, or null to compare with none; read only when it opens
   * @param recordedFingerprint the fingerprint that manifest must have been recorded with
   * @param draft where to write the tree's own manifest, or null to write none; the caller closes it
   */
  public static CaptureWalk run(Path tree, boolean checksum, BooleanSupplier stop, long nowMillis,
      ManifestSource recorded, CaptureFingerprint recordedFingerprint, ManifestDraft draft)
      throws IOException, TreeFingerprint.Stopped {
    ManifestDiff diff = null;
    String unreadable = null;
    if (recorded != null) {
      try {
        InputStream in = recorded.open();
        diff = in == null ? null : new ManifestDiff(ManifestReader.open(in));
      } catch (IOException e) {
        unreadable = e.getMessage();
      }
    }
    ManifestWriter writer = draft == null ? null : new ManifestWriter(draft.stream(), checksum);
    CaptureFingerprint found;
    try {
      found = TreeFingerprint.of(tree, checksum, stop, nowMillis, TreeEntries.both(diff, writer));
    } catch (IOException | TreeFingerprint.Stopped | RuntimeException e) {
      if (diff != null) {
        diff.abandon();
      }
      if (writer != null) {
        writer.close();
      }
      throw e;
    }
    FileDifferences files = diff != null ? diff.finish(recordedFingerprint)
        : unreadable != null ? FileDifferences.unusable(unreadable) : null;
    if (files != null && !files.usable()) {
      log.warn("the file list of capture {} cannot be used: {}", tree, files.unusableReason());
    }
    return new CaptureWalk(tree, found, files, writer, draft);
  }

  /** The tree's fingerprint as found now. */
  public CaptureFingerprint found() {
    return found;
  }

  /** How the tree compared with the recorded manifest; null when there was none to compare with. */
  public FileDifferences files() {
    return files;
  }

  /**
   * Ends the manifest written in the walk with the fingerprint it is to be recorded with; returns the draft to hand
   * to the catalog, or null when none was written or it outgrew its bound (then nothing is recorded for it).
   */
  public ManifestDraft manifestFor(CaptureFingerprint recordedWith) throws IOException {
    if (writer == null) {
      return null;
    }
    if (writer.finish(recordedWith)) {
      return draft;
    }
    log.warn("the file list of capture {} is over {} bytes: none is recorded, only the fingerprint", tree,
        ManifestWriter.MAX_BYTES);
    return null;
  }

  /** A difference with a recorded fingerprint as one line, file by file when the manifest allows; null if none. */
  public String difference(CaptureFingerprint recordedFingerprint) {
    String counts = TreeFingerprint.difference(recordedFingerprint, found);
    if (files == null || !files.any()) {
      return counts == null || files == null || files.usable() ? counts
          : counts + " (the capture's file list cannot be used: " + files.unusableReason() + ")";
    }
    return counts == null ? files.describe() : files.describe() + "; " + counts;
  }

  /** Closes the manifest written, if it was not ended. */
  @Override
  public void close() throws IOException {
    if (writer != null) {
      writer.close();
    }
  }
}
