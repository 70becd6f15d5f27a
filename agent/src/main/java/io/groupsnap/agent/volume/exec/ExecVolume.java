package io.groupsnap.agent.volume.exec;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.volume.ArgvTemplate;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.Captures;
import io.groupsnap.agent.volume.StorageTools;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.common.Durations;
import io.groupsnap.common.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Volume kind {@code exec}: storage groupsnap does not know (a SAN, a cloud disk API) captured by the operator's
 * commands.
 *
 * <p>Consistency: what the external snapshot gives. By default the kind assumes nothing, so a capture counts only
 * while writers hold the volume ({@link #needsHolder} true: PREPARE refuses the volume unless a writer covers it); an
 * operator whose snapshot is atomic on its own (a storage array's point-in-time snapshot) declares it with option
 * {@code atomic: "true"}, and the capture is then crash-consistent without a writer; {@code allowUnheld: "true"}
 * (as for {@code dir}) declares instead that nothing writes to the volume during snapshots. The kind never freezes
 * anything itself. Privileges are whatever the commands need; the agent runs them as its own user.
 *
 * <p>Options ({@link ExecVolumeOptions}): {@code create}, {@code delete} and {@code list} (required), {@code check}
 * and {@code restore} (optional; see {@link #restorer}) are argument vectors (YAML lists, kept as JSON array text),
 * run without a shell; {@code timeout} limits
 * each (default 60s; {@code create} runs inside the freeze window, so keep it well below the freeze lease). Arguments
 * may hold placeholders, replaced inside that argument only (see {@link ArgvTemplate}): {@code {volume}} (the
 * volume's name), {@code {snapshot}} (the group snapshot id), {@code {path}} (the volume's path) and {@code {target}}
 * (the capture location); {@code list} gets only {@code {volume}} and {@code {path}}. Commands must be absolute paths
 * to executables; they are checked when the configuration is loaded and again at every PREPARE.
 *
 * <p>Commands: {@code check} runs at PREPARE (exit 0: ready; 75, EX_TEMPFAIL: RETRYABLE; anything else NON_RETRYABLE).
 * {@code create} makes the capture (exit 0; 75 is reported as retryable); its output is not interpreted — the external
 * system must be able to find the capture again by {@code {volume}} and {@code {snapshot}} (e.g. tag a cloud snapshot
 * with them). {@code delete} removes one capture and must succeed when it is already gone. {@code list} prints one
 * capture of this volume per line: the group snapshot id, optionally followed by white space and its creation time in
 * seconds since the epoch (without it, the reaper never removes an unrecorded capture as a stray). On failure the
 * message carries the command's last line of error output.
 *
 * <p>The capture location is {@code <snapshotRoot>/<volume>/<snapshot>} ({@code {target}}): a directory the create
 * command may fill or mount something on for backup tools, or simply the name the capture is known by. Its parent is
 * created, private to the agent, at PREPARE.
 */
public final class ExecVolume implements Volume {
  /** EX_TEMPFAIL: the command asks to be tried again later. */
  static final int RETRY_LATER = 75;

  private final String name;
  private final Path path;
  private final Path captureDir;
  private final Map<String, ArgvTemplate> commands;
  private final Duration timeout;
  private final boolean atomic;
  private final CommandRunner runner;
  private final LongSupplier now;

  /**
   * @param commands {@code create}, {@code delete}, {@code list} and optionally {@code check}
   * @param atomic whether a capture is consistent without a writer (option {@code atomic} or {@code allowUnheld})
   * @param now the clock for captures whose creation time the list command does not print
   */
  public ExecVolume(String name, Path path, Path snapshotRoot, Map<String, ArgvTemplate> commands, Duration timeout,
      boolean atomic, CommandRunner runner, LongSupplier now) {
    this.name = name;
    this.path = path.toAbsolutePath().normalize();
    this.captureDir = snapshotRoot.toAbsolutePath().normalize().resolve(name);
    this.commands = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(commands));
    for (String required : List.of("create", "delete", "list")) {
      if (!commands.containsKey(required)) {
        throw new IllegalArgumentException("exec volume " + name + " has no " + required + " command");
      }
    }
    this.timeout = timeout;
    this.atomic = atomic;
    this.runner = runner;
    this.now = now;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return "exec";
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public boolean needsHolder() {
    return !atomic;
  }

  @Override
  public Path captureTarget(String groupSnapshotId) {
    return captureDir.resolve(groupSnapshotId);
  }

  @Override
  public boolean owns(Path location) {
    return idOf(location) != null;
  }

  private String idOf(Path location) {
    Path l = location.toAbsolutePath().normalize();
    if (!captureDir.equals(l.getParent()) || l.getFileName() == null) {
      return null;
    }
    String id = l.getFileName().toString();
    return Names.isValid(id) ? id : null;
  }

  private Map<String, String> values(String id, Path target) {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("volume", name);
    v.put("path", path.toString());
    if (id != null) {
      v.put("snapshot", id);
      v.put("target", target.toString());
    }
    return v;
  }

  @Override
  public void check(Path target) throws VolumeException {
    String id = idOf(target);
    if (id == null) {
      throw new VolumeException("capture path " + target + " is not one of this volume's (under " + captureDir + ")",
          false);
    }
    for (Map.Entry<String, ArgvTemplate> c : commands.entrySet()) {
      Path exe = c.getValue().command();
      if (!Files.isRegularFile(exe) || !Files.isExecutable(exe)) {
        throw new VolumeException("option " + c.getKey() + ": command " + exe + " does not exist or is not "
            + "executable", false);
      }
    }
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new VolumeException("capture " + target + " already exists", false);
    }
    try {
      Captures.createPrivateDirectories(captureDir);
    } catch (IOException e) {
      throw new VolumeException("cannot create " + captureDir + ": " + e.getMessage(), true, e);
    }
    if (commands.containsKey("check")) {
      run("check", values(id, target));
    }
  }

  @Override
  public Frozen freeze() {
    return Frozen.NONE;
  }

  @Override
  public Path capture(Path target) throws VolumeException {
    String id = idOf(target);
    if (id == null) {
      throw new VolumeException("capture path " + target + " is not one of this volume's", false);
    }
    run("create", values(id, target.toAbsolutePath().normalize()));
    return target.toAbsolutePath().normalize();
  }

  private CommandRunner.Result run(String command, Map<String, String> values) throws VolumeException {
    List<String> argv = commands.get(command).expand(values);
    CommandRunner.Result r;
    try {
      r = runner.run(argv, timeout);
    } catch (IOException e) {
      throw new VolumeException(command + " command " + argv.get(0) + " could not be started: " + e.getMessage(),
          false, e);
    }
    if (r.timedOut()) {
      throw new VolumeException(command + " command timed out after " + Durations.format(timeout)
          + " and was killed", true);
    }
    if (r.exitCode() != 0) {
      throw new VolumeException(command + " command exited " + r.exitCode() + ": " + r.lastLine(),
          r.exitCode() == RETRY_LATER);
    }
    return r;
  }

  private CommandRunner.Result runForIo(String command, Map<String, String> values) throws IOException {
    try {
      return run(command, values);
    } catch (VolumeException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  @Override
  public void delete(Path capture) throws IOException {
    String id = idOf(capture);
    if (id == null) {
      throw new IOException("refusing to delete " + capture + ": not a capture of volume " + name + " (under "
          + captureDir + ")");
    }
    runForIo("delete", values(id, capture.toAbsolutePath().normalize()));
  }

  @Override
  public List<Found> listCaptures() throws IOException {
    String out = runForIo("list", values(null, null)).stdout();
    List<Found> found = new ArrayList<>();
    int n = 0;
    for (String line : out.split("\n")) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.strip().split("\\s+");
      if (f.length > 2 || !Names.isValid(f[0]) || (f.length == 2 && !f[1].matches("\\d{1,12}"))) {
        throw new IOException("list command printed an unexpected line " + n + ": " + StorageTools.quote(line)
            + " (expected a group snapshot id, optionally followed by its creation time in seconds)");
      }
      found.add(new Found(f[0], captureTarget(f[0]), f.length == 2 ? Long.parseLong(f[1]) * 1000 : createdAt(f[0])));
    }
    return found;
  }

  /**
   * Presence only, as the list command reports it: the capture is the external system's, and whatever the create
   * command left at the target (if anything) is not known to be all of it.
   */
  @Override
  public Located locate(Path location) throws IOException {
    String id = idOf(location);
    return id != null && listCaptures().stream().anyMatch(f -> f.groupSnapshotId().equals(id)) ? Located.PRESENT
        : Located.MISSING;
  }

  /**
   * The operator's {@code restore} command, given {@code {volume}}, {@code {snapshot}}, {@code {path}} (the live
   * volume), {@code {target}} (the capture location) and {@code {to}} (where the restored tree goes, absent when it
   * runs; the command creates it). Without one, restoring is refused. The size is unknown until it ran.
   */
  @Override
  public Restorer restorer(Path capture, Path target) throws VolumeException {
    String id = idOf(capture);
    if (id == null) {
      throw new VolumeException("capture " + capture + " is not one of volume " + name + "'s", false);
    }
    if (!commands.containsKey("restore")) {
      throw new VolumeException("volume " + name + " (kind exec) has no restore command: add option restore to"
          + " restore it", false);
    }
    Path location = capture.toAbsolutePath().normalize();
    return new Restorer() {
      @Override
      public String method() {
        return "exec";
      }

      @Override
      public long bytesNeeded() {
        return 0; // the command's own business (it may restore onto other storage)
      }

      @Override
      public boolean atTarget() {
        return true; // the command creates {to} itself
      }

      @Override
      public long bytes() {
        return -1;
      }

      @Override
      public String materialize(Path to) throws VolumeException {
        Map<String, String> v = values(id, location);
        v.put("to", to.toAbsolutePath().normalize().toString());
        run("restore", v);
        return method();
      }
    };
  }

  /** Without a printed time: the target's modification time if it exists, else now (too young to reap). */
  private long createdAt(String id) {
    try {
      return Files.getLastModifiedTime(captureTarget(id), LinkOption.NOFOLLOW_LINKS).toMillis();
    } catch (IOException e) {
      return now.getAsLong();
    }
  }

  @Override
  public String toString() {
    return "exec volume " + name;
  }
}
