package io.groupsnap.agent.volume;

import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.common.Durations;
import java.time.Duration;

/** Reading the string-valued options of a volume, with errors naming the option. */
public final class VolumeOptions {
  private VolumeOptions() {}

  /** The option's value; an error when it is missing or blank. */
  public static String required(VolumeConfig v, String option) throws KindException {
    String value = v.options().get(option);
    if (value == null || value.isBlank()) {
      throw new KindException("options." + option, "is required for kind " + v.kind());
    }
    return value;
  }

  /** The option as a duration, or {@code otherwise} when it is not set. */
  public static Duration duration(VolumeConfig v, String option, Duration otherwise) throws KindException {
    String t = v.options().get(option);
    if (t == null) {
      return otherwise;
    }
    try {
      return Durations.parse(t);
    } catch (IllegalArgumentException e) {
      throw new KindException("options." + option, e.getMessage());
    }
  }
}
