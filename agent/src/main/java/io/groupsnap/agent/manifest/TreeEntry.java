package io.groupsnap.agent.manifest;

/**
 * One entry of a file tree as a walk reports it.
 *
 * @param path relative to the tree's top, components joined by {@code /}
 * @param size a file's length, a symbolic link's target length in UTF-8 bytes; 0 for the other types
 * @param sha256 the SHA-256 of a file's contents or a link's target (32 bytes); null when not computed or not
 *     applicable. Not copied: callers must not change it.
 */
public record TreeEntry(EntryType type, String path, long size, byte[] sha256) {
  public TreeEntry {
    if (sha256 != null && sha256.length != 32) {
      throw new IllegalArgumentException("a SHA-256 has 32 bytes, not " + sha256.length);
    }
  }
}
