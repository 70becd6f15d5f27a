package io.groupsnap.common.tls;

/**
 * What a client requires of the server it connects to, beyond a certificate the trusted authority signed for the
 * address it dialled: the coordinator an operator's command talks to must hold the coordinator role; the agent a
 * coordinator drives must be the agent its registration names.
 */
@FunctionalInterface
public interface PeerCheck {
  /** Any identity the authority vouches for. */
  PeerCheck ANY = peer -> null;

  /** Why {@code peer} is not acceptable (one line), or null when it is. */
  String refusal(Identity peer);

  /** A peer holding {@code role}. */
  static PeerCheck role(Role role) {
    return peer -> peer.may(role) ? null : "the server's certificate " + peer + " lacks the " + role.label() + " role";
  }

  /** A peer named {@code name} holding {@code role}. */
  static PeerCheck identity(String name, Role role) {
    return peer -> {
      if (!peer.name().equals(name)) {
        return "the server presented the certificate of '" + peer.name() + "', not of '" + name + "'";
      }
      return role(role).refusal(peer);
    };
  }
}
