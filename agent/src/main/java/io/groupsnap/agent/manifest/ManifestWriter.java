package io.groupsnap.agent.manifest;

import io.groupsnap.proto.v1.CaptureFingerprint;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a capture's file manifest while its tree is walked: one record per entry, in walk order, gzip-compressed.
 *
 * <p>Format (inside gzip, whose CRC guards the whole): the magic {@code GSFM}, a version byte (1) and a flags byte
 * (bit 0: every file and link carries a SHA-256); then per entry its type code ({@link EntryType#code}), how many
 * leading characters its path shares with the previous entry's, the rest of the path in UTF-8 (length-prefixed), its
 * size, and with the flag set a 32-byte SHA-256 for files and links; numbers are unsigned LEB128. A zero byte ends
 * the entries, followed by the length-prefixed {@link CaptureFingerprint} recorded with the manifest, which binds the
 * two: a reader ignores a manifest whose fingerprint is not the catalog's.
 *
 * <p>Bounded: once more than {@link #MAX_BYTES} compressed bytes are written it stops writing and {@link #finish}
 * says the manifest is incomplete (nothing must be recorded then). Not thread-safe; one instance per walk.
 */
public final class ManifestWriter implements TreeEntries, Closeable {
  /** The largest manifest written, compressed: about 400,000 entries with checksums, several million without. */
  public static final long MAX_BYTES = 16L << 20;
  static final byte[] MAGIC = {'G', 'S', 'F', 'M'};
  static final int VERSION = 1;
  static final int FLAG_HASHES = 1;

  private final Counting counted;
  private final DataOutputStream out;
  private final boolean hashes;
  private final long maxBytes;
  private String previous = "";
  private boolean overflow;
  private boolean closed;

  /**
   * @param target where the manifest goes; closed by {@link #finish} or {@link #close}
   * @param hashes whether every file and link entry will carry a SHA-256
   */
  public ManifestWriter(OutputStream target, boolean hashes) throws IOException {
    this(target, hashes, MAX_BYTES);
  }

  ManifestWriter(OutputStream target, boolean hashes, long maxBytes) throws IOException {
    this.counted = new Counting(target);
    this.out = new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(counted, 1 << 16), 1 << 16));
    this.hashes = hashes;
    this.maxBytes = maxBytes;
    out.write(MAGIC);
    out.writeByte(VERSION);
    out.writeByte(hashes ? FLAG_HASHES : 0);
  }

  @Override
  public void accept(TreeEntry e) throws IOException {
    if (overflow || closed) {
      return;
    }
    if (hashes && e.type().hasContents() && e.sha256() == null) {
      throw new IllegalArgumentException("entry " + PathText.of(e.path()) + " has no SHA-256");
    }
    String path = e.path();
    int shared = 0;
    int n = Math.min(path.length(), previous.length());
    while (shared < n && path.charAt(shared) == previous.charAt(shared)) {
      shared++;
    }
    if (shared > 0 && Character.isHighSurrogate(path.charAt(shared - 1))) {
      shared--; // never split a surrogate pair
    }
    byte[] rest = path.substring(shared).getBytes(StandardCharsets.UTF_8);
    out.writeByte(e.type().code());
    Varints.write(out, shared);
    Varints.write(out, rest.length);
    out.write(rest);
    Varints.write(out, e.size());
    if (hashes && e.type().hasContents()) {
      out.write(e.sha256());
    }
    previous = path;
    if (counted.count > maxBytes) {
      overflow = true;
    }
  }

  /**
   * Ends the manifest with the fingerprint it is recorded with, and closes it.
   *
   * @return false when it outgrew {@link #MAX_BYTES}: it is incomplete and must not be recorded
   */
  public boolean finish(CaptureFingerprint fingerprint) throws IOException {
    if (overflow || closed) {
      close();
      return false;
    }
    out.writeByte(0);
    byte[] fp = fingerprint.toByteArray();
    Varints.write(out, fp.length);
    out.write(fp);
    close();
    return !overflow;
  }

  /** Whether it stopped writing because it outgrew its bound. */
  public boolean overflowed() {
    return overflow;
  }

  /** Closes the target; a manifest not finished is incomplete. Idempotent. */
  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      out.close();
    }
  }

  /** Counts the compressed bytes. */
  private static final class Counting extends FilterOutputStream {
    long count;

    Counting(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
