package io.groupsnap.agent.manifest;

import io.groupsnap.proto.v1.CaptureFingerprint;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads a manifest written by {@link ManifestWriter}, entry by entry, without holding it in memory. Anything that
 * does not parse — a truncated or altered file, an unknown version — is an {@link IOException} naming it a corrupt
 * file list. Not thread-safe.
 */
public final class ManifestReader implements Closeable {
  private static final int MAX_PATH_BYTES = 1 << 16;
  private static final int MAX_TRAILER_BYTES = 1 << 12;

  private final DataInputStream in;
  private final boolean hashes;
  private String previous = "";
  private boolean ended;
  private long entries;

  private ManifestReader(DataInputStream in, boolean hashes) {
    this.in = in;
    this.hashes = hashes;
  }

  /** Reads the header; closes {@code source} when it cannot be read. */
  public static ManifestReader open(InputStream source) throws IOException {
    try {
      DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(source, 1 << 16),
          1 << 16));
      byte[] magic = new byte[ManifestWriter.MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, ManifestWriter.MAGIC)) {
        throw new IOException("corrupt file list: not a groupsnap manifest");
      }
      int version = in.readUnsignedByte();
      if (version != ManifestWriter.VERSION) {
        throw new IOException("file list of unknown version " + version);
      }
      return new ManifestReader(in, (in.readUnsignedByte() & ManifestWriter.FLAG_HASHES) != 0);
    } catch (IOException e) {
      source.close();
      throw e instanceof EOFException ? new IOException("corrupt file list: cut short", e) : e;
    }
  }

  /** Whether every file and link entry carries a SHA-256. */
  public boolean hashes() {
    return hashes;
  }

  /** How many entries were read so far. */
  public long entries() {
    return entries;
  }

  /** The next entry in walk order; null after the last. */
  public TreeEntry next() throws IOException {
    if (ended) {
      return null;
    }
    try {
      int code = in.readUnsignedByte();
      if (code == 0) {
        ended = true;
        return null;
      }
      EntryType type = EntryType.of(code);
      if (type == null) {
        throw new IOException("corrupt file list: unknown entry type " + code);
      }
      int shared = Varints.readBounded(in, previous.length(), "shared prefix");
      byte[] rest = new byte[Varints.readBounded(in, MAX_PATH_BYTES, "path length")];
      in.readFully(rest);
      String path = previous.substring(0, shared) + new String(rest, StandardCharsets.UTF_8);
      long size = Varints.read(in);
      byte[] sha = null;
      if (hashes && type.hasContents()) {
        sha = new byte[32];
        in.readFully(sha);
      }
      previous = path;
      entries++;
      return new TreeEntry(type, path, size, sha);
    } catch (EOFException e) {
      throw new IOException("corrupt file list: cut short after " + entries + " entries", e);
    }
  }

  /**
   * The fingerprint recorded with the manifest, once every entry has been read; also makes sure the file ends where
   * it should and its checksum holds.
   */
  public CaptureFingerprint trailer() throws IOException {
    if (!ended) {
      throw new IllegalStateException("entries left to read");
    }
    try {
      byte[] fp = new byte[Varints.readBounded(in, MAX_TRAILER_BYTES, "trailer length")];
      in.readFully(fp);
      if (in.read() != -1) {
        throw new IOException("corrupt file list: data after its end");
      }
      return CaptureFingerprint.parseFrom(fp);
    } catch (EOFException e) {
      throw new IOException("corrupt file list: cut short at its end", e);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
