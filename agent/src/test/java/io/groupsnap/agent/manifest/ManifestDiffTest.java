package io.groupsnap.agent.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.proto.v1.CaptureFingerprint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The manifest format and the entry-by-entry comparison, on entries made up in memory. */
class ManifestDiffTest {
  static final CaptureFingerprint FP = CaptureFingerprint.newBuilder().setFiles(3).setRecordedAtMillis(7).build();

  static byte[] sha(int b) {
    byte[] s = new byte[32];
    Arrays.fill(s, (byte) b);
    return s;
  }

  static TreeEntry file(String path, long size, int hash) {
    return new TreeEntry(EntryType.FILE, path, size, sha(hash));
  }

  static TreeEntry dir(String path) {
    return new TreeEntry(EntryType.DIRECTORY, path, 0, null);
  }

  static byte[] manifest(boolean hashes, CaptureFingerprint fp, TreeEntry... entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ManifestWriter w = new ManifestWriter(out, hashes);
    for (TreeEntry e : entries) {
      w.accept(e);
    }
    assertThat(w.finish(fp)).isTrue();
    return out.toByteArray();
  }

  /** As a walk compares: a manifest that cannot even be opened is unusable. */
  static FileDifferences diff(byte[] manifest, CaptureFingerprint fp, TreeEntry... found) {
    ManifestDiff d;
    try {
      d = new ManifestDiff(ManifestReader.open(new ByteArrayInputStream(manifest)));
    } catch (IOException e) {
      return FileDifferences.unusable(e.getMessage());
    }
    for (TreeEntry e : found) {
      d.accept(e);
    }
    return d.finish(fp);
  }

  static final TreeEntry[] TREE = {dir("a"), file("a/b", 5, 1), file("a.txt", 3, 2), file("z", 0, 3)};

  @Test
  void entriesReadBack_asWritten_withSharedPrefixesAndHashes() throws Exception {
    // paths sharing prefixes that end inside a multi-byte character or a surrogate pair
    TreeEntry deep = file("a/" + "é".repeat(3) + "/\uD83D\uDE00x", 1L << 40, 9);
    byte[] m = manifest(true, FP, dir("a"), deep, file("a/" + "é".repeat(3) + "/\uD83D\uDE01y", 1, 8));
    try (ManifestReader r = ManifestReader.open(new ByteArrayInputStream(m))) {
      assertThat(r.hashes()).isTrue();
      assertThat(r.next()).isEqualTo(dir("a"));
      TreeEntry back = r.next();
      assertThat(back.path()).isEqualTo(deep.path());
      assertThat(back.size()).isEqualTo(1L << 40);
      assertThat(back.sha256()).isEqualTo(sha(9));
      assertThat(r.next().path()).isEqualTo("a/" + "é".repeat(3) + "/\uD83D\uDE01y");
      assertThat(r.next()).isNull();
      assertThat(r.trailer()).isEqualTo(FP);
      assertThat(r.entries()).isEqualTo(3);
    }
  }

  @Test
  void theWalkOrder_putsADirectoryBeforeItsContents_andThoseBeforeLongerSiblings() {
    List<String> walk = List.of("a", "a/b", "a/b/c", "a.txt", "a0", "b");
    List<String> sorted = new ArrayList<>(walk);
    sorted.sort(PathOrder::compare);
    assertThat(sorted).isEqualTo(walk);
  }

  @Test
  void anIdenticalTree_hasNoDifferences() throws Exception {
    FileDifferences d = diff(manifest(true, FP, TREE), FP, TREE);
    assertThat(d.usable()).isTrue();
    assertThat(d.any()).isFalse();
    assertThat(d.hashesCompared()).isTrue();
    assertThat(d.recordedEntries()).isEqualTo(4);
    assertThat(d.describe()).isNull();
  }

  @Test
  void oneChangedFile_isNamedWithBothHashes_andCounted() throws Exception {
    FileDifferences d = diff(manifest(true, FP, TREE), FP, dir("a"), file("a/b", 5, 1), file("a.txt", 3, 0x7f),
        file("z", 0, 3));
    assertThat(d.describe()).isEqualTo("file a.txt differs from the capture (sha256 7f7f7f7f7f7f..., recorded "
        + "020202020202...); 1 of 4 entries differ");
  }

  @Test
  void missingUnexpectedAndResized_areEachNamed() throws Exception {
    FileDifferences d = diff(manifest(false, FP, TREE), FP, dir("a"), file("a.txt", 4, 2), file("y", 1, 1),
        file("z", 0, 3));
    assertThat(d.named()).containsExactly("missing file a/b", "file a.txt is 4 bytes, 3 in the capture",
        "unexpected file y");
    assertThat(d.describe()).endsWith("; 2 of 4 entries differ, 1 unexpected");
    assertThat(d.hashesCompared()).isFalse();
  }

  @Test
  void aMissingDirectory_isNamedOnce_andWhatItHeldOnlyCounted() throws Exception {
    FileDifferences d = diff(manifest(true, FP, TREE), FP, file("a.txt", 3, 2), file("z", 0, 3));
    assertThat(d.named()).containsExactly("missing directory a");
    assertThat(d.differing()).isEqualTo(2);
    assertThat(d.describe()).isEqualTo("missing directory a; 2 of 4 entries differ (the first 1 named)");
  }

  @Test
  void aTypeChange_isNamed() throws Exception {
    FileDifferences d = diff(manifest(true, FP, TREE), FP, dir("a"), file("a/b", 5, 1), dir("a.txt"),
        file("z", 0, 3));
    assertThat(d.named()).containsExactly("a.txt is a directory, a file in the capture");
  }

  @Test
  void pathsWithControlCharacters_arePrintedOnOneLine() throws Exception {
    TreeEntry evil = file("x\ny\u202e\tz", 1, 1);
    FileDifferences d = diff(manifest(true, FP, TREE), FP, dir("a"), file("a/b", 5, 1), file("a.txt", 3, 2),
        evil, file("z", 0, 3));
    assertThat(d.describe()).startsWith("unexpected file x\\ny\\u202e\\tz;").doesNotContain("\n")
        .doesNotContain("\u202e");
  }

  @Test
  void aLongPath_keepsItsEnd() {
    String p = "d/".repeat(200) + "the-file";
    assertThat(PathText.of(p)).startsWith("…").endsWith("d/the-file").hasSizeLessThanOrEqualTo(161);
  }

  @Test
  void aManifestOfAnotherFingerprint_isNotUsed() throws Exception {
    FileDifferences d = diff(manifest(true, FP, TREE), FP.toBuilder().setSha256("ab").build(), dir("a"));
    assertThat(d.usable()).isFalse();
    assertThat(d.any()).isFalse();
    assertThat(d.unusableReason()).contains("another fingerprint");
  }

  @Test
  void aTruncatedOrAlteredManifest_isNotUsed_neverAccusingAFile() throws Exception {
    byte[] m = manifest(true, FP, TREE);
    FileDifferences cut = diff(Arrays.copyOf(m, m.length - 9), FP, TREE);
    assertThat(cut.usable()).isFalse();
    assertThat(cut.describe()).isNull();

    byte[] altered = m.clone();
    altered[altered.length / 2] ^= 0x10;
    FileDifferences flipped = diff(altered, FP, TREE);
    assertThat(flipped.usable()).as("gzip's CRC or the format catch it").isFalse();
  }

  @Test
  void aManifestOverItsBound_isIncomplete_andNotToBeRecorded() throws Exception {
    ManifestWriter w = new ManifestWriter(new ByteArrayOutputStream(), true, 1024);
    Random random = new Random(1);
    for (int i = 0; i < 100_000 && !w.overflowed(); i++) {
      byte[] hash = new byte[32];
      random.nextBytes(hash); // incompressible, as real hashes are
      w.accept(new TreeEntry(EntryType.FILE, String.format("f%06d", i), i, hash));
    }
    assertThat(w.overflowed()).isTrue();
    assertThat(w.finish(FP)).isFalse();
  }
}
