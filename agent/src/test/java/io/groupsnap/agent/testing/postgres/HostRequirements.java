package io.groupsnap.agent.testing.postgres;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.testing.HostRequirement;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the PostgreSQL and loop-device suites need from the host: root, PostgreSQL's server binaries, the
 * {@code postgres} OS user, {@code runuser}, and for file systems on loop devices {@code losetup}, {@code mkfs.btrfs},
 * {@code btrfs}, {@code mount}. A missing requirement fails the test when {@code GROUPSNAP_CI} is set (CI must never
 * skip silently) and skips it otherwise.
 */
public final class HostRequirements {
  private static final CommandRunner COMMANDS = CommandRunner.system();

  private HostRequirements() {}

  /** Skips (locally) or fails (in CI) unless a PostgreSQL server can be run as the {@code postgres} user. */
  public static void requirePostgres() {
    require("a PostgreSQL server", missingPostgres());
  }

  /** The bin directory of the newest PostgreSQL installed under {@code /usr/lib/postgresql}. */
  public static Optional<Path> postgresBin() {
    Path base = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(base)) {
      return Optional.empty();
    }
    Path best = null;
    int bestVersion = -1;
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base)) {
      for (Path d : dirs) {
        int v;
        try {
          v = Integer.parseInt(d.getFileName().toString().split("\\.")[0]);
        } catch (NumberFormatException e) {
          continue;
        }
        Path bin = d.resolve("bin");
        if (v > bestVersion && Files.isExecutable(bin.resolve("postgres")) && Files.isExecutable(bin.resolve("initdb"))
            && Files.isExecutable(bin.resolve("pg_ctl"))) {
          best = bin;
          bestVersion = v;
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.ofNullable(best);
  }

  static Optional<String> missingPostgres() {
    List<String> missing = new ArrayList<>(missingRoot());
    if (postgresBin().isEmpty()) {
      missing.add("no PostgreSQL server under /usr/lib/postgresql/*/bin (apt-get install postgresql)");
    }
    if (COMMANDS.which("runuser").isEmpty()) {
      missing.add("runuser not found");
    }
    try {
      if (!COMMANDS.run(List.of("id", "-u", "postgres"), Duration.ofSeconds(10)).ok()) {
        missing.add("no OS user postgres");
      }
    } catch (IOException e) {
      missing.add("cannot run id: " + e.getMessage());
    }
    return missing.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", missing));
  }

  private static List<String> missingRoot() {
    try {
      String status = Files.readString(Path.of("/proc/self/status"));
      String uid = status.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElse("Uid: ?");
      if (!uid.split("\\s+")[2].equals("0")) {
        return List.of("not running as root");
      }
      return List.of();
    } catch (IOException | RuntimeException e) {
      return List.of("cannot tell the user id: " + e.getMessage());
    }
  }

  private static void require(String what, Optional<String> missing) {
    if (missing.isEmpty()) {
      return;
    }
    String message = "this test needs " + what + ": " + missing.get();
    HostRequirement.unmet(message);
  }
}
