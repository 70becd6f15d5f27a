package io.groupsnap.it.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import io.groupsnap.agent.testing.HostRequirement;

/**
 * Whether this machine can run the multi-host suites (root, {@code ip netns}, veth pairs). When it cannot, the suite
 * fails with the reason if {@code GROUPSNAP_CI} is set (CI must never skip them silently), and is skipped otherwise.
 */
final class Privileges {
  private static Optional<String> missing;

  private Privileges() {}

  /** Skips (locally) or fails (in CI) the current test when network namespaces cannot be used. */
  static void requireNetworkNamespaces() {
    Optional<String> why = missing();
    if (why.isEmpty()) {
      return;
    }
    String message = "the multi-host suite needs root and network namespaces: " + why.get();
    HostRequirement.unmet(message);
  }

  /** Why the suite cannot run here, or empty when it can; probed once per JVM. */
  static synchronized Optional<String> missing() {
    if (missing == null) {
      missing = Optional.ofNullable(probe());
    }
    return missing;
  }

  private static String probe() {
    try {
      String status = Files.readString(Path.of("/proc/self/status"));
      String uid = status.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElse("Uid: ?");
      if (!uid.split("\\s+")[2].equals("0")) {
        return "not running as root (" + uid.trim().replaceAll("\\s+", " ") + ")";
      }
    } catch (IOException | RuntimeException e) {
      return "cannot tell the user id: " + e.getMessage();
    }
    Commands.Result ip = Commands.run("ip", "-V");
    if (!ip.ok()) {
      return "the ip command is not usable: " + ip;
    }
    String tag = "gs" + ProcessHandle.current().pid() + "z";
    String ns = tag + "-probe";
    try {
      Commands.check("ip", "netns", "add", ns);
      Commands.check("ip", "link", "add", tag + "v0", "type", "veth", "peer", "name", tag + "p0");
      Commands.check("ip", "link", "set", tag + "p0", "netns", ns);
      return null;
    } catch (IllegalStateException e) {
      return e.getMessage();
    } finally {
      Commands.run("ip", "link", "delete", tag + "v0");
      Commands.run("ip", "netns", "delete", ns);
    }
  }
}
