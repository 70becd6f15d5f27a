package io.groupsnap.agent.hub;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The file at the hub's path: a Unix domain socket, or the endpoint file that names a loopback TCP port and its
 * token (format in {@code writer.proto}). Clearing what a previous run left there, and writing the endpoint file.
 */
final class HubSocket {
  /** The first line of an endpoint file. */
  static final String ENDPOINT_HEADER = "groupsnap-writer-endpoint 1";
  /** sun_path holds 108 bytes including the terminating NUL. */
  static final int MAX_SOCKET_PATH = 107;

  private HubSocket() {}

  /** Whether {@code path} can be bound as a Unix domain socket (its length fits). */
  static boolean fits(Path path) {
    return path.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH;
  }

  /**
   * Removes what a previous run left at {@code path}: a socket nobody listens on any more, or an endpoint file.
   *
   * @throws IOException when another process still serves on the socket, or the path is something else (a directory,
   *     a link, an unrelated file): nothing is removed then
   */
  static void clearStale(Path path) throws IOException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException e) {
      return;
    }
    if (a.isOther()) {
      if (listening(path)) {
        throw new IOException(path + " is in use: another agent serves writers there (two agents share a stateDir?)");
      }
      Files.delete(path);
      return;
    }
    if (a.isRegularFile() && isEndpointFile(path)) {
      Files.delete(path);
      return;
    }
    throw new IOException(path + " exists and is neither a socket nor a groupsnap writer endpoint file; "
        + "refusing to remove it");
  }

  private static boolean listening(Path socket) {
    if (!fits(socket)) {
      return false;
    }
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return ch.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static boolean isEndpointFile(Path path) {
    try {
      List<String> lines = Files.readAllLines(path, StandardCharsets.US_ASCII);
      return !lines.isEmpty() && lines.get(0).equals(ENDPOINT_HEADER);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Writes the endpoint file atomically, readable by the agent's user only (0600): over loopback TCP the token is the
   * only check — there are no peer credentials — so only processes of the agent's own user may subscribe there.
   */
  static void writeEndpointFile(Path path, String hostPort, String token) throws IOException {
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, ENDPOINT_HEADER + "\ntcp " + hostPort + "\ntoken " + token + "\n",
        StandardCharsets.US_ASCII);
    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
