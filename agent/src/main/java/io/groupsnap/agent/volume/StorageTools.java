package io.groupsnap.agent.volume;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.common.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command-line tools of one storage kind ({@code lvm2}, {@code zfsutils-linux}): finds them, runs them with a
 * timeout and turns a failure into a one-line error carrying the tool's last error line. Also probes for the kernel
 * support the tools need. Thread-safe; holds no state besides its settings.
 */
public final class StorageTools {
  private final CommandRunner runner;
  private final String debianPackage;
  private final Duration timeout;
  private final Path probeRoot;

  /**
   * @param debianPackage named in the error when a tool is missing
   * @param probeRoot where {@code /dev} and {@code /sys} are looked up ({@code /}; a test directory in tests)
   */
  public StorageTools(CommandRunner runner, String debianPackage, Duration timeout, Path probeRoot) {
    this.runner = runner;
    this.debianPackage = debianPackage;
    this.timeout = timeout;
    this.probeRoot = probeRoot;
  }

  public Duration timeout() {
    return timeout;
  }

  /** Each tool's executable, by name; the first missing one is a non-retryable error naming it and the package. */
  public Map<String, Path> resolve(List<String> tools) throws VolumeException {
    Map<String, Path> out = new LinkedHashMap<>();
    for (String tool : tools) {
      out.put(tool, runner.which(tool).orElseThrow(() -> new VolumeException(missing(tool), false)));
    }
    return out;
  }

  /** As {@link #resolve}, for callers outside a transaction (list, delete). */
  public Path resolveForIo(String tool) throws IOException {
    return runner.which(tool).orElseThrow(() -> new IOException(missing(tool)));
  }

  private String missing(String tool) {
    return "tool " + tool + " is not installed (not found on the search path; Debian package " + debianPackage + ")";
  }

  /**
   * Fails unless one of {@code paths} (absolute, looked up under the probe root) exists: the kernel support a tool
   * needs. {@code what} says what is missing and how to get it.
   */
  public void requireKernel(List<String> paths, String what) throws VolumeException {
    for (String p : paths) {
      if (Files.exists(probe(p))) {
        return;
      }
    }
    List<String> looked = paths.stream().map(p -> probe(p).toString()).toList();
    throw new VolumeException(what + "; " + (looked.size() == 2 ? "neither " + looked.get(0) + " nor "
        + looked.get(1) : "none of " + String.join(", ", looked)) + " exists", false);
  }

  private Path probe(String absolute) {
    return probeRoot.resolve(absolute.substring(1));
  }

  /**
   * Runs {@code argv}; a non-zero exit, a timeout or a failure to start is a {@link VolumeException} with the tool's
   * last error line.
   *
   * @param retryable whether a non-zero exit may succeed on a later attempt (timeouts always may)
   */
  public CommandRunner.Result run(List<String> argv, boolean retryable) throws VolumeException {
    return run(argv, retryable, "");
  }

  /** As {@link #run(List, boolean)}; {@code afterTimeout} is added to the message of a timeout. */
  public CommandRunner.Result run(List<String> argv, boolean retryable, String afterTimeout) throws VolumeException {
    CommandRunner.Result r;
    try {
      r = runner.run(argv, timeout);
    } catch (IOException e) {
      throw new VolumeException(tool(argv) + " could not be started: " + e.getMessage(), false, e);
    }
    if (r.timedOut()) {
      throw new VolumeException(tool(argv) + " timed out after " + Durations.format(timeout) + " and was killed"
          + afterTimeout, true);
    }
    if (r.exitCode() != 0) {
      throw new VolumeException(failed(argv, r), retryable);
    }
    return r;
  }

  /** Runs {@code argv} and returns what it did, whatever its exit code; only a timeout or failure to start throw. */
  public CommandRunner.Result runAnyExit(List<String> argv) throws VolumeException {
    CommandRunner.Result r;
    try {
      r = runner.run(argv, timeout);
    } catch (IOException e) {
      throw new VolumeException(tool(argv) + " could not be started: " + e.getMessage(), false, e);
    }
    if (r.timedOut()) {
      throw new VolumeException(tool(argv) + " timed out after " + Durations.format(timeout) + " and was killed",
          true);
    }
    return r;
  }

  /** As {@link #run}, for callers outside a transaction (list, delete). */
  public CommandRunner.Result runForIo(List<String> argv) throws IOException {
    CommandRunner.Result r = runAnyExitForIo(argv);
    if (r.exitCode() != 0) {
      throw new IOException(failed(argv, r));
    }
    return r;
  }

  /** As {@link #runAnyExit}, for callers outside a transaction (list, delete). */
  public CommandRunner.Result runAnyExitForIo(List<String> argv) throws IOException {
    CommandRunner.Result r = runner.run(argv, timeout);
    if (r.timedOut()) {
      throw new IOException(tool(argv) + " timed out after " + Durations.format(timeout) + " and was killed");
    }
    return r;
  }

  public static String failed(List<String> argv, CommandRunner.Result r) {
    return tool(argv) + " failed (exit code " + r.exitCode() + "): " + r.lastLine();
  }

  /** The tool's name for messages: the file name of the executable. */
  public static String tool(List<String> argv) {
    Path p = Path.of(argv.get(0)).getFileName();
    return p == null ? argv.get(0) : p.toString();
  }

  /** One line of tool output, quoted and shortened for an error message. */
  public static String quote(String line) {
    String s = io.groupsnap.common.Names.printable(line.strip());
    return "'" + s + "'";
  }
}
