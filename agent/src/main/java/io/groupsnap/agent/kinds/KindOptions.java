package io.groupsnap.agent.kinds;

import io.groupsnap.common.Durations;
import io.groupsnap.common.Names;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The string-valued {@code options} of one volume or writer, read the way every kind reads them: a flag, a duration, a
 * choice or a required value is written, defaulted and refused alike whatever the kind. Each error is a
 * {@link KindException} whose field names the option ({@code options.timeout}). Kinds read their options once, when
 * the configuration is validated, into an options record of their own. Immutable.
 */
public final class KindOptions {
  /** What {@link #flag} says of a value that is neither. */
  public static final String NOT_A_FLAG = "must be true or false";

  private final String kind;
  private final Map<String, String> values;

  /**
   * @param kind named in errors ("is required for kind lvm")
   */
  public KindOptions(String kind, Map<String, String> values) {
    this.kind = kind;
    this.values = Map.copyOf(values);
  }

  public static KindOptions of(VolumeConfig volume) {
    return new KindOptions(volume.kind(), volume.options());
  }

  public static KindOptions of(WriterConfig writer) {
    return new KindOptions(writer.kind(), writer.options());
  }

  /** Where an option is, relative to its volume or writer: {@code options.<option>}. */
  public static String field(String option) {
    return "options." + option;
  }

  public boolean has(String option) {
    return values.containsKey(option);
  }

  /** The value as written, or null when the option is not set. */
  public String get(String option) {
    return values.get(option);
  }

  /** The value as written, or {@code otherwise} when the option is not set. */
  public String get(String option, String otherwise) {
    return values.getOrDefault(option, otherwise);
  }

  /** The value; an error when it is missing or blank. */
  public String required(String option) throws KindException {
    return required(option, "is required for kind " + kind);
  }

  /** The value; {@code problem} is the error when it is missing or blank. */
  public String required(String option, String problem) throws KindException {
    String value = values.get(option);
    if (value == null || value.isBlank()) {
      throw new KindException(field(option), problem);
    }
    return value;
  }

  /** {@code true} or {@code false}, exactly; {@code otherwise} when the option is not set. */
  public boolean flag(String option, boolean otherwise) throws KindException {
    return flag(option, otherwise, NOT_A_FLAG);
  }

  /** As {@link #flag(String, boolean)}, with {@code problem} as the error for any other value. */
  public boolean flag(String option, boolean otherwise, String problem) throws KindException {
    String value = values.get(option);
    if (value == null) {
      return otherwise;
    }
    if (!value.equals("true") && !value.equals("false")) {
      throw new KindException(field(option), problem);
    }
    return value.equals("true");
  }

  /** A duration such as {@code 30s} or {@code 2m}; {@code otherwise} when the option is not set. */
  public Duration duration(String option, Duration otherwise) throws KindException {
    String value = values.get(option);
    if (value == null) {
      return otherwise;
    }
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new KindException(field(option), e.getMessage());
    }
  }

  /**
   * One of {@code choices}, written as its name in lower case; {@code otherwise} when the option is not set.
   *
   * @param choices every constant of the enum, in the order the error lists them
   */
  public <E extends Enum<E>> E choice(String option, E otherwise, E[] choices) throws KindException {
    String value = values.get(option);
    if (value == null) {
      return otherwise;
    }
    StringJoiner known = new StringJoiner(", ");
    for (E e : choices) {
      if (lower(e).equals(value)) {
        return e;
      }
      known.add(lower(e));
    }
    throw new KindException(field(option), "unknown " + option + " '" + Names.printable(value) + "' (known: " + known
        + ")");
  }

  /** An absolute path, normalized; null when the option is not set. */
  public Path absolutePath(String option) throws KindException {
    String value = values.get(option);
    if (value == null) {
      return null;
    }
    Path p;
    try {
      p = Path.of(value);
    } catch (InvalidPathException e) {
      throw new KindException(field(option), "'" + Names.printable(value) + "' is not a path");
    }
    if (!p.isAbsolute()) {
      throw new KindException(field(option), "must be an absolute path, not '" + Names.printable(value) + "'");
    }
    return p.normalize();
  }

  /** A constant's name as options write it. */
  public static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
