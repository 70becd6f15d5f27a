package io.groupsnap.common.tls;

import java.util.Locale;
import java.util.Optional;

/**
 * What an identity may do (DESIGN.md G7). A certificate carries its roles as subject organisation entries
 * {@code O=groupsnap:<role>}; {@code groupsnap certs init} issues them.
 *
 * <ul>
 *   <li>{@link #VIEWER}: list, show, status, watch.
 *   <li>{@link #OPERATOR}: a viewer that also creates, deletes and checks group snapshots, runs backups and restores.
 *   <li>{@link #ADMIN}: an operator that also manages groups, schedules, retention and agents.
 *   <li>{@link #COORDINATOR}: a coordinator daemon; the only identity an agent obeys.
 *   <li>{@link #AGENT}: an agent daemon; its certificate's name must be its agent id.
 * </ul>
 */
public enum Role {
  VIEWER, OPERATOR, ADMIN, COORDINATOR, AGENT;

  /** The prefix of a certificate's organisation entries that name roles. */
  public static final String PREFIX = "groupsnap:";

  /** Whether an identity holding this role may act as {@code needed}: admin ⊇ operator ⊇ viewer. */
  public boolean grants(Role needed) {
    return switch (this) {
      case ADMIN -> needed == ADMIN || needed == OPERATOR || needed == VIEWER;
      case OPERATOR -> needed == OPERATOR || needed == VIEWER;
      default -> needed == this;
    };
  }

  /** The lower-case name, as written in certificates, configuration and messages. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The organisation value a certificate carries for this role. */
  public String organisation() {
    return PREFIX + label();
  }

  /** The role named by a label ({@code operator}), or empty. */
  public static Optional<Role> parse(String label) {
    for (Role r : values()) {
      if (r.label().equals(label)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
