package io.groupsnap.agent.kinds;

/**
 * A volume's or writer's settings are wrong for its kind. {@link #field()} is relative to the volume or writer
 * ({@code path}, {@code options.device}); the configuration loader prefixes where it is in the file.
 */
public final class KindException extends Exception {
  private final String field;

  public KindException(String field, String message) {
    super(message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
