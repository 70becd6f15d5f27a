package io.groupsnap.cli.doctor;

import io.groupsnap.agent.command.CommandRunner;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code groupsnap doctor} asks of the host besides the agent's own checks: free space, privileges and the tools
 * on the search path. A port so that tests can give thresholds and privileges without a full disk or root.
 */
public interface HostProbe {
  /** Bit of {@code CAP_SYS_ADMIN} in the kernel's capability sets (linux/capability.h). */
  int CAP_SYS_ADMIN = 21;

  /** Free and total bytes of a file system. */
  record Space(long usable, long total) {
    /** The free share in percent (0 for an empty file system). */
    public double freePercent() {
      return total <= 0 ? 0 : 100.0 * usable / total;
    }
  }

  /** The space of the file system holding {@code path}. */
  Space space(Path path) throws IOException;

  /** Whether this process has {@code CAP_SYS_ADMIN} (root has it), needed to freeze a file system. */
  boolean hasSysAdmin();

  /** Runs tools and finds them on the search path, as the agent does. */
  CommandRunner commands();

  /** The real host: {@code statvfs}, {@code /proc/self/status} and the agent's search path. */
  static HostProbe system() {
    return system(CommandRunner.system());
  }

  /** The real host, with {@code commands} as its search path. */
  static HostProbe system(CommandRunner commands) {
    return new HostProbe() {
      @Override
      public Space space(Path path) throws IOException {
        FileStore s = Files.getFileStore(path);
        return new Space(s.getUsableSpace(), s.getTotalSpace());
      }

      @Override
      public boolean hasSysAdmin() {
        try {
          List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
          for (String l : lines) {
            if (l.startsWith("CapEff:")) {
              return new BigInteger(l.substring("CapEff:".length()).strip(), 16).testBit(CAP_SYS_ADMIN);
            }
          }
        } catch (IOException | NumberFormatException e) {
          // no procfs: fall through to the user name
        }
        return "root".equals(System.getProperty("user.name"));
      }

      @Override
      public CommandRunner commands() {
        return commands;
      }
    };
  }
}
