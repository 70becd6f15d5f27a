package io.groupsnap.agent.export;

import io.groupsnap.agent.volume.ArgvTemplate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * One export target as the agent's configuration gives it ({@code exports:}): a name groups refer to, a kind and the
 * kind's options. Targets live in the agent's own configuration, never in a request, so that a coordinator can make
 * an agent export only where its operator allowed, and run only the commands its operator wrote. Immutable.
 */
public sealed interface ExportTargetConfig permits ExportTargetConfig.Restic, ExportTargetConfig.Exec {
  /** The kinds, as written in {@code kind:}. */
  Set<String> KINDS = Set.of(Restic.KIND, Exec.KIND);
  /** How long one export may run unless {@code timeout} says otherwise. */
  Duration DEFAULT_TIMEOUT = Duration.ofHours(24);

  String name();

  String kind();

  /** The longest one export (or forget) may run; it is killed then and fails. */
  Duration timeout();

  /**
   * Kind {@code restic}.
   *
   * @param repository any repository string restic takes ({@code /srv/restic}, {@code sftp:host:/path}, {@code
   *     s3:...}, {@code rest:...})
   * @param passwordFile the repository's password, a file of mode 0600 or 0400 that restic reads itself
   * @param limitUploadKiB restic's {@code --limit-upload} in KiB/s; 0: no limit
   * @param createIfMissing run {@code restic init} once when the repository does not exist yet
   * @param nice the niceness restic runs at ({@code nice -n}); 0: not niced
   */
  record Restic(String name, String repository, Path passwordFile, long limitUploadKiB, boolean createIfMissing,
      int nice, Duration timeout) implements ExportTargetConfig {
    public static final String KIND = "restic";
    public static final int DEFAULT_NICE = 10;

    public Restic {
      Objects.requireNonNull(repository, "repository");
      Objects.requireNonNull(passwordFile, "passwordFile");
      Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public String kind() {
      return KIND;
    }
  }

  /**
   * Kind {@code exec}: an operator's command (borg, rsync, rclone, ...), run without a shell.
   *
   * @param command exports one capture; placeholders {@link #EXPORT_PLACEHOLDERS}; the last non-empty line it prints
   *     is the repository snapshot id
   * @param forget removes one exported capture; placeholders {@link #FORGET_PLACEHOLDERS}; null: forgetting is a
   *     no-op for this target
   */
  record Exec(String name, ArgvTemplate command, ArgvTemplate forget, Duration timeout)
      implements ExportTargetConfig {
    public static final String KIND = "exec";
    public static final Set<String> EXPORT_PLACEHOLDERS = Set.of("path", "group", "run", "agent", "volume", "member",
        "snapshot");
    public static final Set<String> FORGET_PLACEHOLDERS = Set.of("run", "group", "agent", "volume", "member",
        "snapshot", "id");

    public Exec {
      Objects.requireNonNull(command, "command");
      Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public String kind() {
      return KIND;
    }
  }
}
