package io.groupsnap.agent.config;

import io.groupsnap.agent.kinds.VolumeSetup;
import io.groupsnap.agent.kinds.WriterSetup;
import java.util.List;

/**
 * The volumes and writers of a validated configuration, each with the options its kind read, in configuration order:
 * what an agent builds them from. Immutable.
 */
public record KindSetups(List<VolumeSetup<?>> volumes, List<WriterSetup<?>> writers) {
  public KindSetups {
    volumes = List.copyOf(volumes);
    writers = List.copyOf(writers);
  }

  /** Whether some writer reaches its application through the agent's writer hub. */
  public boolean needsWriterHub() {
    return writers.stream().anyMatch(WriterSetup::needsWriterHub);
  }
}
