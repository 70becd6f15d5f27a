package io.groupsnap.agent.kinds;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One volume the agent captures.
 *
 * @param name unique on the agent; a valid name
 * @param kind the provider: {@code dir}, {@code lvm}, {@code zfs}, {@code exec}, …
 * @param path the directory (or mount point) to capture, absolute
 * @param options kind-specific settings, validated by the provider; a list-valued option (an argument vector) is
 *     kept as its JSON array text
 * @param verify the command a test restore runs on the restored copy ({@code verify:}, an argument vector with
 *     {@code {path}} and {@code {volume}} placeholders, run without a shell; exit 0 = good); empty: none. Only this
 *     configuration names it: a test restore request never carries a command.
 * @param verifyTimeout how long the verify command may run before it is killed and the verdict is FAILED
 */
public record VolumeConfig(String name, String kind, Path path, Map<String, String> options, List<String> verify,
    Duration verifyTimeout) {
  /** The default {@link #verifyTimeout}. */
  public static final Duration VERIFY_TIMEOUT = Duration.ofMinutes(30);

  public VolumeConfig {
    options = Map.copyOf(options);
    verify = List.copyOf(verify);
    verifyTimeout = verifyTimeout == null ? VERIFY_TIMEOUT : verifyTimeout;
  }

  /** A volume without a verify command. */
  public VolumeConfig(String name, String kind, Path path, Map<String, String> options) {
    this(name, kind, path, options, List.of(), VERIFY_TIMEOUT);
  }
}
