package io.groupsnap.agent.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A capture's file manifest while it is written, during the walk that fingerprints the capture: not part of the
 * catalog until {@link SnapshotCatalog#setFingerprint(String, String, io.groupsnap.proto.v1.CaptureFingerprint,
 * io.groupsnap.proto.v1.CaptureFingerprint, ManifestDraft)} records it together with its fingerprint; discarded when
 * closed unrecorded. Its content is opaque here ({@code io.groupsnap.agent.manifest} writes and reads it). Written by
 * one thread; idempotent close.
 */
public abstract class ManifestDraft implements Closeable {
  private ManifestDraft() {}

  /** Where the manifest is written; the writer closes it when done (which makes a file draft durable). */
  public abstract OutputStream stream();

  /** A draft kept in memory (simulations, tests, catalogs without files). */
  static ManifestDraft inMemory() {
    return new InMemory();
  }

  /** A draft in a new temporary file in {@code dir}. */
  static ManifestDraft inFile(Path dir) throws IOException {
    return new InFile(Files.createTempFile(dir, "manifest-", ".tmp"));
  }

  static final class InMemory extends ManifestDraft {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public OutputStream stream() {
      return bytes;
    }

    byte[] bytes() {
      return bytes.toByteArray();
    }

    @Override
    public void close() {}
  }

  static final class InFile extends ManifestDraft {
    final Path file;
    private final FileOutputStream out;
    private final OutputStream stream;
    private boolean closed;
    private boolean moved;

    private InFile(Path file) throws IOException {
      this.file = file;
      this.out = new FileOutputStream(file.toFile());
      this.stream = new FilterOutputStream(out) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
          closeFile();
        }
      };
    }

    @Override
    public OutputStream stream() {
      return stream;
    }

    /** Flushes, fsyncs and closes the file; idempotent. */
    synchronized void closeFile() throws IOException {
      if (!closed) {
        closed = true;
        try {
          out.flush();
          out.getFD().sync();
        } finally {
          out.close();
        }
      }
    }

    /** The draft's file was moved into the catalog: nothing to discard. */
    synchronized void moved() {
      moved = true;
    }

    @Override
    public synchronized void close() throws IOException {
      try {
        closeFile();
      } finally {
        if (!moved) {
          Files.deleteIfExists(file);
        }
      }
    }
  }
}
