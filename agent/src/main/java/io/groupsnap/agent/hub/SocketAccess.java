package io.groupsnap.agent.hub;

import io.groupsnap.common.Names;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Who may connect to the hub's Unix domain socket at all: its file mode and group (agent configuration
 * {@code writerHub: {socketMode: "0660", socketGroup: NAME}}). Connecting needs write permission on the socket, so
 * the mode admits the agent's user and, with {@code 0660}, the socket's group; granting others is refused — any local
 * user could then reach the hub. Which of those connected processes may subscribe as an application is then decided
 * per application by its writer's {@link PeerRule}. Immutable.
 *
 * @param mode the socket file's permissions; never any for others
 * @param group the socket file's group; empty: the agent's own group
 */
public record SocketAccess(Set<PosixFilePermission> mode, Optional<String> group) {
  /** The default: 0660, the agent's group. */
  public static final SocketAccess DEFAULT = new SocketAccess(EnumSet.of(PosixFilePermission.OWNER_READ,
      PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE),
      Optional.empty());

  private static final int ALLOWED_BITS = 0660;

  public SocketAccess {
    mode = Set.copyOf(mode);
  }

  /**
   * Reads a mode written in octal ({@code "0660"}, {@code "600"}).
   *
   * @throws IllegalArgumentException in one line when it is not octal or grants more than read and write to owner
   *     and group
   */
  public static Set<PosixFilePermission> parseMode(String text) {
    int bits;
    try {
      if (!text.matches("0?[0-7]{3}")) {
        throw new NumberFormatException();
      }
      bits = Integer.parseInt(text, 8);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + Names.printable(text) + "' is not an octal file mode such as \"0660\"");
    }
    if ((bits & 07) != 0) {
      throw new IllegalArgumentException(text + " grants others access: any local user could connect to the writer "
          + "hub (use 0660 with socketGroup, or 0600)");
    }
    if ((bits & ~ALLOWED_BITS) != 0) {
      throw new IllegalArgumentException(text + " sets execute bits; a socket needs read and write only (0660, 0600)");
    }
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_EXECUTE};
    for (int i = 0; i < order.length; i++) {
      if ((bits & (0400 >> i)) != 0) {
        out.add(order[i]);
      }
    }
    return out;
  }

  /**
   * Checks that {@code name} is a group on this host.
   *
   * @throws IllegalArgumentException in one line when it is not
   */
  public static void requireGroup(String name) {
    LocalAccounts.gid(name);
  }

  /**
   * Gives {@code socket} this mode and group. (By path: a socket cannot be opened for {@code fchmod}; the path is the
   * one the hub just bound, in the agent's own state directory.)
   */
  void apply(Path socket) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(socket, PosixFileAttributeView.class);
    if (group.isPresent()) {
      GroupPrincipal g;
      try {
        g = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group.get());
      } catch (UserPrincipalNotFoundException e) {
        throw new IOException("writer hub socket group '" + group.get() + "' does not exist on this host");
      }
      view.setGroup(g);
    }
    view.setPermissions(mode);
  }
}
