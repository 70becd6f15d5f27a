package io.groupsnap.agent.volume.dir;

import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import java.util.Set;

/**
 * The options of a {@code dir} volume.
 *
 * @param allowUnheld the operator declares that nothing writes to the volume during snapshots, so it needs no writer
 * @param linkReadOnly files nobody may write are hard-linked into a capture instead of copied
 */
public record DirOptions(boolean allowUnheld, boolean linkReadOnly) {
  static final Set<String> NAMES = Set.of("allowUnheld", "linkReadOnly");

  static DirOptions parse(KindOptions o) throws KindException {
    return new DirOptions(o.flag("allowUnheld", false), o.flag("linkReadOnly", false));
  }
}
