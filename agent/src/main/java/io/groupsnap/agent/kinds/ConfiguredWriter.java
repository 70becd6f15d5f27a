package io.groupsnap.agent.kinds;

import io.groupsnap.agent.writer.Writer;
import java.util.Set;

/** A writer built from its configuration: name, tier and volumes come from there, the kind from the subclass. */
public abstract class ConfiguredWriter implements Writer {
  protected final WriterConfig config;
  private final String kind;

  protected ConfiguredWriter(WriterConfig config, String kind) {
    this.config = config;
    this.kind = kind;
  }

  @Override
  public final String name() {
    return config.name();
  }

  @Override
  public final String kind() {
    return kind;
  }

  @Override
  public final int tier() {
    return config.tier();
  }

  @Override
  public final Set<String> volumes() {
    return config.volumes();
  }
}
