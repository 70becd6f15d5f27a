package io.groupsnap.coordinator.audit;

import io.groupsnap.common.Printable;
import io.groupsnap.proto.v1.AuditArgument;
import java.util.ArrayList;
import java.util.List;

/**
 * The salient fields of a request as the audit trail keeps them: each value escaped (no control, format or line
 * separator characters) and cut after {@value #VALUE_CHARS} characters ({@link Printable}), at most
 * {@value #MAX_ARGUMENTS} of them, so that an entry stays small whatever a caller sends. Not thread-safe: build one per
 * call.
 */
public final class AuditArguments {
  /** How many characters of one value are kept (a long member list is cut, with its full length noted). */
  public static final int VALUE_CHARS = 256;
  /** How many arguments an entry keeps. */
  public static final int MAX_ARGUMENTS = 16;

  private final List<AuditArgument> arguments = new ArrayList<>();

  public static AuditArguments of() {
    return new AuditArguments();
  }

  /** Adds {@code name=value}; an empty or null value is left out (proto3: unset). */
  public AuditArguments with(String name, String value) {
    if (value != null && !value.isEmpty() && arguments.size() < MAX_ARGUMENTS) {
      arguments.add(AuditArgument.newBuilder().setName(name)
          .setValue(Printable.escapeAndCut(value, VALUE_CHARS)).build());
    }
    return this;
  }

  /** Adds {@code name=value} for a number other than 0 (unset). */
  public AuditArguments with(String name, long value) {
    return value == 0 ? this : with(name, Long.toString(value));
  }

  /** Adds {@code name=true} when set. */
  public AuditArguments flag(String name, boolean value) {
    return value ? with(name, "true") : this;
  }

  public List<AuditArgument> build() {
    return List.copyOf(arguments);
  }
}
