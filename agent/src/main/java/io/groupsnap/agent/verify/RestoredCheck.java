package io.groupsnap.agent.verify;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.manifest.FileDifferences;
import io.groupsnap.agent.manifest.ManifestSource;
import io.groupsnap.agent.scrub.CaptureWalk;
import io.groupsnap.agent.scrub.TreeFingerprint;
import io.groupsnap.proto.v1.CaptureFingerprint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks of a test restore on one restored volume: that every file of the restored tree reads back to its end
 * and that the tree matches the fingerprint recorded of the capture after its commit ({@code scrub}) — entry by entry
 * when the capture's file manifest was recorded with it, so that a failure names the files that differ — then the
 * volume's own verify command from this agent's configuration, if it has one. Only commands the agent's configuration
 * names are run — a request never carries one — as argument vectors without a shell, with {@code {path}} and
 * {@code {volume}} replaced. Last, for each {@code postgresql} writer whose {@code dataDirectory} lies in the volume,
 * a throwaway server is started on that directory's restored copy ({@link PostgresCheck}). Stateless apart from its
 * configuration; thread-safe.
 */
public final class RestoredCheck {
  /** How much of a verify command's output the verdict keeps (its end). */
  public static final int OUTPUT_TAIL = 2048;
  private static final Logger log = LoggerFactory.getLogger(RestoredCheck.class);

  /**
   * One volume's verdict.
   *
   * @param ok VERIFIED
   * @param reason why not (one line), or what was checked
   * @param outputTail the end of the verify command's output; empty without a command
   */
  public record Verdict(boolean ok, String reason, String outputTail) {}

  private final Map<String, VolumeConfig> volumes = new LinkedHashMap<>();
  private final CommandRunner runner;
  private final List<PostgresCheck> databases;

  /** @param volumes the agent's volumes, for their verify commands */
  public RestoredCheck(List<VolumeConfig> volumes, CommandRunner runner) {
    this(volumes, runner, List.of());
  }

  /** @param databases the checks of PostgreSQL data directories, each run for the volume its directory lies in */
  public RestoredCheck(List<VolumeConfig> volumes, CommandRunner runner, List<PostgresCheck> databases) {
    volumes.forEach(v -> this.volumes.put(v.name(), v));
    this.runner = runner;
    this.databases = List.copyOf(databases);
    for (PostgresCheck db : this.databases) {
      if (volumes.stream().noneMatch(v -> db.dataDirectory().normalize().startsWith(v.path().toAbsolutePath()
          .normalize()))) {
        log.warn("writer {}: dataDirectory {} lies in none of the agent's volumes: no test restore starts PostgreSQL"
            + " on it", db.writer(), db.dataDirectory());
      }
    }
  }

  /** Checks without any verify command: files only. */
  public static RestoredCheck filesOnly() {
    return new RestoredCheck(List.of(), CommandRunner.system());
  }

  /**
   * Checks one restored volume.
   *
   * @param recorded the capture's fingerprint recorded after its commit; null or presence-only when none is known
   * @param stop true once the check should give up (the agent is closing)
   */
  public Verdict check(String volume, Path restored, CaptureFingerprint recorded, BooleanSupplier stop) {
    return check(volume, restored, recorded, null, stop);
  }

  /**
   * Checks one restored volume, comparing it file by file with the capture's manifest when it has one.
   *
   * @param manifest opens the capture's recorded file manifest (null, or opening null: none)
   */
  public Verdict check(String volume, Path restored, CaptureFingerprint recorded, ManifestSource manifest,
      BooleanSupplier stop) {
    Verdict v = checkFilesAndCommand(volume, restored, recorded, manifest, stop);
    VolumeConfig config = volumes.get(volume);
    if (!v.ok() || config == null) {
      return v;
    }
    for (PostgresCheck db : databases) {
      Optional<Path> copy = db.inCopy(config.path(), restored);
      if (copy.isPresent()) {
        Verdict d = db.check(volume, copy.get(), stop);
        if (!d.ok()) {
          return d;
        }
        v = new Verdict(true, v.reason() + "; " + d.reason(), v.outputTail());
      }
    }
    return v;
  }

  private Verdict checkFilesAndCommand(String volume, Path restored, CaptureFingerprint recorded,
      ManifestSource manifest, BooleanSupplier stop) {
    String files;
    if (Files.isDirectory(restored, LinkOption.NOFOLLOW_LINKS)) {
      boolean known = recorded != null && !recorded.getPresenceOnly() && recorded.getRecordedAtMillis() > 0;
      CaptureFingerprint found;
      FileDifferences byFile;
      try (CaptureWalk walk = CaptureWalk.run(restored, true, stop, 0, known ? manifest : null, recorded, null)) {
        found = walk.found();
        byFile = walk.files();
        String difference = known ? walk.difference(recorded) : null;
        if (difference != null) {
          return new Verdict(false, "the restored copy differs from the capture's fingerprint recorded at "
              + Instant.ofEpochMilli(recorded.getRecordedAtMillis()) + ": " + difference, "");
        }
      } catch (TreeFingerprint.Stopped e) {
        return new Verdict(false, "the check was stopped (the agent is closing)", "");
      } catch (IOException e) {
        return new Verdict(false, unreadable(restored, e), "");
      }
      boolean fileByFile = byFile != null && byFile.usable();
      files = found.getFiles() + " files (" + found.getBytes() + " bytes) read back"
          + (!known ? "; no fingerprint of the capture was recorded to compare with"
          : recorded.getSha256().isEmpty() ? ", counts match the capture's fingerprint (it has no checksum)"
          : ", contents match the capture's fingerprint")
          + (!fileByFile ? "" : byFile.hashesCompared() ? " and each of its " + byFile.recordedEntries()
              + " entries" : " and the sizes of each of its " + byFile.recordedEntries() + " entries");
    } else {
      files = "the restored copy is not a directory: no file-level check";
    }
    VolumeConfig config = volumes.get(volume);
    if (config == null || config.verify().isEmpty()) {
      return new Verdict(true, files, "");
    }
    List<String> argv = new ArrayList<>();
    for (String a : config.verify()) {
      argv.add(a.replace("{path}", restored.toString()).replace("{volume}", volume));
    }
    CommandRunner.Result r;
    try {
      r = runner.run(argv, config.verifyTimeout());
    } catch (IOException e) {
      return new Verdict(false, "verify command " + argv.get(0) + " cannot be started: " + e.getMessage(), "");
    }
    String tail = tail(r.stdout() + (r.stdout().isEmpty() || r.stderr().isEmpty() ? "" : "\n") + r.stderr());
    if (r.timedOut()) {
      return new Verdict(false, "verify command " + argv.get(0) + " did not finish within "
          + config.verifyTimeout() + " and was killed", tail);
    }
    if (r.exitCode() != 0) {
      return new Verdict(false, "verify command " + argv.get(0) + " exited " + r.exitCode() + ": " + r.lastLine(),
          tail);
    }
    return new Verdict(true, files + "; verify command " + argv.get(0) + " exited 0", tail);
  }

  /** The end of a command's output, at most {@link #OUTPUT_TAIL} characters. */
  static String tail(String output) {
    String s = output.strip();
    return s.length() <= OUTPUT_TAIL ? s : s.substring(s.length() - OUTPUT_TAIL);
  }

  /** Why the tree did not read back, naming the first file that cannot be read when it can be found. */
  private static String unreadable(Path root, IOException e) {
    try {
      Path bad = firstUnreadable(root);
      if (bad != null) {
        return "file " + root.relativize(bad) + " of the restored copy cannot be read back: " + e.getMessage();
      }
    } catch (IOException again) {
      // fall through: name what the walk said
    }
    return "the restored copy cannot be read back: " + e.getMessage();
  }

  private static Path firstUnreadable(Path dir) throws IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      entries.forEach(children::add);
    }
    children.sort(Comparator.comparing(p -> p.getFileName().toString()));
    byte[] buffer = new byte[1 << 16];
    for (Path child : children) {
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        return child;
      }
      if (a.isDirectory()) {
        Path bad;
        try {
          bad = firstUnreadable(child);
        } catch (IOException e) {
          return child;
        }
        if (bad != null) {
          return bad;
        }
      } else if (a.isRegularFile()) {
        try (InputStream in = Files.newInputStream(child, LinkOption.NOFOLLOW_LINKS)) {
          while (in.read(buffer) > 0) {
            // read to the end
          }
        } catch (IOException e) {
          return child;
        }
      }
    }
    return null;
  }
}
