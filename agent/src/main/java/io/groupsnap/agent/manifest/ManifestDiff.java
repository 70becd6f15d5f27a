package io.groupsnap.agent.manifest;

import io.groupsnap.proto.v1.CaptureFingerprint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Compares a tree, as its walk reports it, with a capture's recorded manifest, merging the two in walk order so that
 * neither is held in memory: an entry only the manifest has is missing, one only the tree has is unexpected, and one
 * both have differs when its type, size or (where both sides have one) SHA-256 does. The first few differences are
 * named; entries below a directory already named missing or unexpected are counted, not named.
 *
 * <p>A manifest that turns out unreadable part-way, or that was recorded with another fingerprint than the one
 * compared with, makes the result {@linkplain FileDifferences#usable() unusable} — never a false accusation. Closes
 * the reader when done. Not thread-safe; one instance per walk.
 */
public final class ManifestDiff implements TreeEntries {
  /** How many differences are named in the result. */
  static final int NAMED = 3;
  private static final int HASH_CHARS = 12;

  private final ManifestReader recorded;
  private final List<String> named = new ArrayList<>();
  private TreeEntry pending;
  private String broken;
  private String namedTree;
  private long differing;
  private long unexpected;
  private boolean foundHashes = true;

  public ManifestDiff(ManifestReader recorded) {
    this.recorded = recorded;
    advance();
  }

  @Override
  public void accept(TreeEntry found) {
    if (found.type().hasContents() && found.sha256() == null) {
      foundHashes = false;
    }
    while (pending != null && PathOrder.compare(pending.path(), found.path()) < 0) {
      missing(pending);
      advance();
    }
    if (broken != null) {
      return;
    }
    if (pending != null && pending.path().equals(found.path())) {
      compare(pending, found);
      advance();
    } else {
      unexpected++;
      name(found.path(), found.type(), "unexpected " + found.type().noun() + " " + PathText.of(found.path()));
    }
  }

  /**
   * Ends the comparison (the walk is over): whatever the manifest still holds is missing.
   *
   * @param fingerprint the capture's recorded fingerprint, which the manifest must have been recorded with
   */
  public FileDifferences finish(CaptureFingerprint fingerprint) {
    while (pending != null) {
      missing(pending);
      advance();
    }
    try {
      if (broken == null && !recorded.trailer().equals(fingerprint)) {
        broken = "the file list was recorded with another fingerprint";
      }
    } catch (IOException e) {
      broken = e.getMessage();
    } finally {
      closeQuietly();
    }
    if (broken != null) {
      return FileDifferences.unusable(broken);
    }
    return new FileDifferences(true, null, recorded.entries(), differing, unexpected, named,
        recorded.hashes() && foundHashes);
  }

  /** Gives up without a result (the walk stopped). Idempotent. */
  public void abandon() {
    closeQuietly();
  }

  private void compare(TreeEntry was, TreeEntry is) {
    String path = PathText.of(is.path());
    if (!was.type().sameAs(is.type())) {
      differing++;
      name(is.path(), null, path + " is a " + is.type().noun() + ", a " + was.type().noun() + " in the capture");
    } else if (was.type().hasContents() && was.size() != is.size()) {
      differing++;
      name(is.path(), null, was.type() == EntryType.FILE
          ? "file " + path + " is " + is.size() + " bytes, " + was.size() + " in the capture"
          : "symbolic link " + path + " points elsewhere than in the capture");
    } else if (was.sha256() != null && is.sha256() != null && !Arrays.equals(was.sha256(), is.sha256())) {
      differing++;
      name(is.path(), null, was.type() == EntryType.FILE
          ? "file " + path + " differs from the capture (sha256 " + hex(is.sha256()) + ", recorded "
              + hex(was.sha256()) + ")"
          : "symbolic link " + path + " points elsewhere than in the capture");
    }
  }

  private void missing(TreeEntry e) {
    differing++;
    name(e.path(), e.type(), "missing " + e.type().noun() + " " + PathText.of(e.path()));
  }

  /** Names a difference unless enough are named or it lies below a directory named missing or unexpected. */
  private void name(String path, EntryType wholeTree, String phrase) {
    if (namedTree != null && path.length() > namedTree.length() && path.startsWith(namedTree)
        && path.charAt(namedTree.length()) == '/') {
      return;
    }
    if (named.size() < NAMED) {
      named.add(phrase);
      if (wholeTree == EntryType.DIRECTORY) {
        namedTree = path;
      }
    }
  }

  private void advance() {
    if (broken != null) {
      pending = null;
      return;
    }
    try {
      pending = recorded.next();
    } catch (IOException e) {
      broken = e.getMessage();
      pending = null;
    }
  }

  private void closeQuietly() {
    try {
      recorded.close();
    } catch (IOException ignored) {
      // read-only: nothing is lost
    }
  }

  private static String hex(byte[] sha) {
    return HexFormat.of().formatHex(sha, 0, HASH_CHARS / 2) + "...";
  }
}
