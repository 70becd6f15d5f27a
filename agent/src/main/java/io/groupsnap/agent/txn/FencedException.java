package io.groupsnap.agent.txn;

/** A request from another cluster, or with an epoch lower than one this agent has already seen (G4). */
public final class FencedException extends Exception {
  public FencedException(String message) {
    super(message);
  }
}
