package io.groupsnap.agent.volume;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A short, stable name for a restore target: the start of the SHA-256 of its normalized absolute path, in hex. Kinds
 * whose restores make storage objects outside the target (a ZFS clone, an LVM volume) name them with it, so that the
 * object belonging to a target is found again from the target alone, after a restart too, and two targets never share
 * one.
 */
public final class TargetHash {
  private TargetHash() {}

  /** The first {@code hexDigits} hex digits (at most 64) of the hash of {@code target}'s path. */
  public static String of(Path target, int hexDigits) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(target.toAbsolutePath().normalize().toString()
          .getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, hexDigits);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
