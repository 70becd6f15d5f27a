package io.groupsnap.common.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Byte-level mutations for {@link ShortFuzz}, in the spirit of a coverage-less fuzzer: flip, overwrite with a boundary
 * value, insert a hostile token, delete, duplicate or splice in a piece of another input. Pure functions of the
 * {@link Random} given.
 */
final class Mutations {
  /** Values and text that break parsers: boundaries, separators, traversal, control and odd Unicode characters. */
  private static final byte[][] TOKENS = tokens("\0", "\n", "\r\n", "\u2028", "\u0085", "\u001b[2J", "../", "/", "..",
      "{", "}", "{{", "{volume}", "{target}", "$(id)", ";", "'", "\"", "\\", ":", "[", "]", "%", "-1", "0",
      "9999999999", "-9223372036854775808", "9223372036854775807", "2147483648", "PT", "PT-1S", "1ms", "h",
      "\uD800", "\uFFFF", "\u202E", " ", "\t", "#", "&a", "*a", "!!", "<<: ", "---", "...", "? ", "- ", "|", ">",
      "~", "null", "true", "0x", "1e309", "NaN", "\uFEFF", "ğ", "İ");
  private static final byte[] BOUNDARIES = {0, 1, 0x7f, (byte) 0x80, (byte) 0xff, (byte) 0xfe, 0x20, 0x0a, 0x3a};

  private Mutations() {}

  static byte[] mutate(byte[] base, byte[] other, Random r, int maxLength) {
    byte[] b = base.clone();
    int steps = 1 + r.nextInt(4);
    for (int i = 0; i < steps; i++) {
      b = step(b, other, r);
    }
    return b.length > maxLength ? Arrays.copyOf(b, maxLength) : b;
  }

  private static byte[] step(byte[] b, byte[] other, Random r) {
    int at = b.length == 0 ? 0 : r.nextInt(b.length + 1);
    switch (r.nextInt(8)) {
      case 0 -> {
        if (b.length > 0) {
          int i = r.nextInt(b.length);
          b[i] ^= (byte) (1 << r.nextInt(8));
        }
        return b;
      }
      case 1 -> {
        if (b.length > 0) {
          b[r.nextInt(b.length)] = BOUNDARIES[r.nextInt(BOUNDARIES.length)];
        }
        return b;
      }
      case 2 -> {
        return insert(b, at, TOKENS[r.nextInt(TOKENS.length)]);
      }
      case 3 -> {
        if (b.length == 0) {
          return b;
        }
        int len = 1 + r.nextInt(Math.min(16, b.length - Math.min(at, b.length - 1)));
        int from = Math.min(at, b.length - 1);
        byte[] out = new byte[b.length - len];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(b, from + len, out, from, b.length - from - len);
        return out;
      }
      case 4 -> {
        if (b.length == 0) {
          return b;
        }
        int from = r.nextInt(b.length);
        int len = 1 + r.nextInt(Math.min(32, b.length - from));
        return insert(b, at, Arrays.copyOfRange(b, from, from + len));
      }
      case 5 -> {
        if (other.length == 0) {
          return b;
        }
        int from = r.nextInt(other.length);
        int len = 1 + r.nextInt(Math.min(64, other.length - from));
        return insert(b, at, Arrays.copyOfRange(other, from, from + len));
      }
      case 6 -> {
        byte[] random = new byte[1 + r.nextInt(8)];
        r.nextBytes(random);
        return insert(b, at, random);
      }
      default -> {
        return b.length > 1 ? Arrays.copyOf(b, r.nextInt(b.length)) : b;
      }
    }
  }

  private static byte[] insert(byte[] b, int at, byte[] piece) {
    byte[] out = new byte[b.length + piece.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(piece, 0, out, at, piece.length);
    System.arraycopy(b, at, out, at + piece.length, b.length - at);
    return out;
  }

  private static byte[][] tokens(String... texts) {
    byte[][] out = new byte[texts.length][];
    for (int i = 0; i < texts.length; i++) {
      out[i] = texts[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }
}
