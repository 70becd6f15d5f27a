package io.groupsnap.agent.kinds;

import io.groupsnap.agent.volume.Volume;

/**
 * One configured volume with its kind and the options that kind read from it: what validation checks and what the
 * agent builds the volume from, so that options are read once. Immutable.
 *
 * @param <O> the kind's options record
 */
public record VolumeSetup<O>(VolumeConfig config, VolumeKind<O> kind, O options) {
  /** Reads {@code config}'s options with {@code kind}. */
  public static <O> VolumeSetup<O> parse(VolumeKind<O> kind, VolumeConfig config) throws KindException {
    return new VolumeSetup<>(config, kind, kind.parse(config));
  }

  /** The kind's checks on this host. */
  public void validate(KindContext context) throws KindException {
    kind.validate(config, options, context);
  }

  public Volume create(KindContext context) {
    return kind.create(config, options, context);
  }
}
