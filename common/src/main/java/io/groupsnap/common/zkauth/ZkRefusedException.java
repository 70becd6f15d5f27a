package io.groupsnap.common.zkauth;

import java.util.Optional;
import org.apache.zookeeper.KeeperException;

/**
 * ZooKeeper refused a groupsnap process: its credentials do not grant what it needs at some node. The message is one
 * line naming the credentials (their file, never a password), the node, ZooKeeper's code and what to check.
 */
public final class ZkRefusedException extends Exception {
  private ZkRefusedException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The refusal in {@code e} or its causes, if it is one: NoAuth (no permission for that node) or AuthFailed (the
   * credentials were rejected).
   */
  public static Optional<KeeperException> refusal(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KeeperException k && (k.code() == KeeperException.Code.NOAUTH
          || k.code() == KeeperException.Code.AUTHFAILED)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /**
   * "ZooKeeper refused the WHO credentials of FILE at PATH: NoAuth — CHECK", or without credentials "ZooKeeper
   * refused the WHO (no credentials) at PATH: NoAuth — NONE".
   *
   * @param who "coordinator", "agent a1", "operator"
   * @param credentials what it authenticated with, or null
   * @param path the node, when the refusal does not name one
   * @param check what to check when credentials were given
   * @param none what to do when none were given
   */
  public static ZkRefusedException of(String who, ZkCredentials credentials, KeeperException refusal, String path,
      String check, String none) {
    String at = refusal.getPath() != null ? refusal.getPath() : path;
    String code = refusal.code() == KeeperException.Code.NOAUTH ? "NoAuth" : "AuthFailed";
    String by = credentials == null ? "the " + who + " (no credentials)"
        : "the " + who + " credentials of " + credentials.source();
    return new ZkRefusedException("ZooKeeper refused " + by + (at == null ? "" : " at " + at) + ": " + code + " — "
        + (credentials == null ? none : check), refusal);
  }
}
