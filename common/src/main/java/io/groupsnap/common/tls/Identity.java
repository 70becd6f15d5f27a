package io.groupsnap.common.tls;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who is calling (or answering): the common name of a peer's certificate and the roles it carries.
 *
 * @param name the subject's common name ({@code CN}); for an agent, its agent id
 * @param roles the roles named by the subject's {@code O=groupsnap:<role>} entries
 */
public record Identity(String name, Set<Role> roles) {
  /** Every caller of a daemon started with {@code insecure}: nobody is authenticated, everything is allowed. */
  public static final Identity INSECURE = new Identity("anonymous (insecure)", EnumSet.allOf(Role.class));

  /** A caller nothing authenticated: no role. */
  public static final Identity NOBODY = new Identity("unauthenticated", Set.of());

  public Identity {
    roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
  }

  /** Whether one of the roles grants {@code needed}. */
  public boolean may(Role needed) {
    return roles.stream().anyMatch(r -> r.grants(needed));
  }

  /** {@code alice (viewer)} — for messages and the audit trail. */
  @Override
  public String toString() {
    String held = roles.isEmpty() ? "no role"
        : roles.stream().sorted().map(Role::label).collect(Collectors.joining(", "));
    return name + " (" + held + ")";
  }
}
