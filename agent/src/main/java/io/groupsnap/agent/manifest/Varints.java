package io.groupsnap.agent.manifest;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Unsigned LEB128 numbers, as the manifest format writes lengths and sizes. */
final class Varints {
  private Varints() {}

  static void write(DataOutput out, long v) throws IOException {
    if (v < 0) {
      throw new IllegalArgumentException("negative: " + v);
    }
    while ((v & ~0x7FL) != 0) {
      out.writeByte((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.writeByte((int) v);
  }

  static long read(DataInput in) throws IOException {
    long v = 0;
    for (int shift = 0; shift < 63; shift += 7) {
      int b = in.readUnsignedByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IOException("corrupt file list: a number longer than 63 bits");
  }

  /** A number that must lie in [0, max]. */
  static int readBounded(DataInput in, int max, String what) throws IOException {
    long v = read(in);
    if (v > max) {
      throw new IOException("corrupt file list: " + what + " " + v + " is over " + max);
    }
    return (int) v;
  }
}
