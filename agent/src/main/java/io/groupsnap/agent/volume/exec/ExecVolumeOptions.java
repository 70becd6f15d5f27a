package io.groupsnap.agent.volume.exec;

import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.agent.volume.ArgvTemplate;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of an {@code exec} volume (see {@link ExecVolume}).
 *
 * @param commands {@code create}, {@code delete}, {@code list} and optionally {@code check} and {@code restore}, by
 *     option name
 * @param timeout the limit for each command
 * @param atomic the operator declares the external snapshot atomic on its own
 * @param allowUnheld the operator declares that nothing writes to the volume during snapshots
 */
public record ExecVolumeOptions(Map<String, ArgvTemplate> commands, Duration timeout, boolean atomic,
    boolean allowUnheld) {
  static final Set<String> NAMES = Set.of("create", "delete", "list", "check", "restore", "timeout", "atomic",
      "allowUnheld");
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
  private static final Set<String> LIST_PLACEHOLDERS = Set.of("volume", "path");
  /** {@code restore} also gets {@code {to}}, where the restored tree goes. */
  static final Set<String> RESTORE_PLACEHOLDERS = Set.of("volume", "snapshot", "path", "target", "to");

  public ExecVolumeOptions {
    commands = Collections.unmodifiableMap(new LinkedHashMap<>(commands));
  }

  /** Whether a capture is consistent without a writer holding the volume. */
  public boolean consistentUnheld() {
    return atomic || allowUnheld;
  }

  static ExecVolumeOptions parse(KindOptions o) throws KindException {
    Map<String, ArgvTemplate> commands = new LinkedHashMap<>();
    for (String option : List.of("create", "delete", "list", "check", "restore")) {
      if ((option.equals("check") || option.equals("restore")) && !o.has(option)) {
        continue;
      }
      String text = o.required(option);
      try {
        commands.put(option, ArgvTemplate.of(ArgvTemplate.parseList(text),
            option.equals("list") ? LIST_PLACEHOLDERS
            : option.equals("restore") ? RESTORE_PLACEHOLDERS : ArgvTemplate.ALL));
      } catch (IllegalArgumentException e) {
        throw new KindException(KindOptions.field(option), e.getMessage());
      }
    }
    return new ExecVolumeOptions(commands, o.duration("timeout", DEFAULT_TIMEOUT), o.flag("atomic", false),
        o.flag("allowUnheld", false));
  }
}
