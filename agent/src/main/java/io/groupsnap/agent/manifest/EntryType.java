package io.groupsnap.agent.manifest;

/**
 * The kind of one entry of a file tree, as a capture's walk sees it without following symbolic links. Each has the
 * one-byte code that both the tree checksum and the manifest format use; the codes never change.
 */
public enum EntryType {
  FILE('f', "file"),
  DIRECTORY('d', "directory"),
  SYMLINK('l', "symbolic link"),
  /** A directory where another file system is mounted: its contents are not part of the capture. */
  MOUNT_POINT('m', "mount point"),
  /** A socket, FIFO or device node. */
  OTHER('o', "special file");

  private final char code;
  private final String noun;

  EntryType(char code, String noun) {
    this.code = code;
    this.noun = noun;
  }

  public char code() {
    return code;
  }

  /** How a message names this kind of entry. */
  public String noun() {
    return noun;
  }

  /** Whether entries of this type carry a size and, with checksums, a SHA-256 (of contents or link target). */
  public boolean hasContents() {
    return this == FILE || this == SYMLINK;
  }

  /** The type of a code; null for an unknown one. */
  static EntryType of(int code) {
    for (EntryType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }

  /** Same for comparison: a mount point restored as a plain directory is the same entry. */
  boolean sameAs(EntryType other) {
    return this == other || (this == DIRECTORY || this == MOUNT_POINT) && (other == DIRECTORY || other == MOUNT_POINT);
  }
}
