package io.groupsnap.agent.restore;

/** A restore this agent will not start (bad target, no such capture, no room, busy); nothing was written. */
public final class RestoreRefusedException extends Exception {
  public RestoreRefusedException(String message) {
    super(message);
  }
}
