package io.groupsnap.coordinator.api;

import java.util.Optional;

/** A mutating call reached a coordinator that is not the acting leader; carries the leader's address when known. */
public final class NotLeaderException extends Exception {
  private final String leader;

  public NotLeaderException(String leader, String message) {
    super(message);
    this.leader = leader;
  }

  public Optional<String> leader() {
    return Optional.ofNullable(leader);
  }
}
