package io.groupsnap.common.zkauth;

/**
 * A ZooKeeper credential file that cannot be used: missing, unreadable, too open, malformed or lacking a user. The
 * message is one line naming the file; it never contains a password or any line of the file.
 */
public final class CredentialsFileException extends Exception {
  public CredentialsFileException(String message) {
    super(message);
  }
}
