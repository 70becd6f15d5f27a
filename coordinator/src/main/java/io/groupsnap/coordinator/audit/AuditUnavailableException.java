package io.groupsnap.coordinator.audit;

/**
 * The audit trail could not record a call's request, so the call was refused before it acted: no mutating call runs
 * unaudited. Retrying may help (ZooKeeper back, its quota or ACLs fixed); the gRPC edge answers UNAVAILABLE.
 */
public final class AuditUnavailableException extends Exception {
  public AuditUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
