package io.groupsnap.coordinator.api;

/** A group snapshot with the requested id exists already (recorded, or queued or running on this leader). */
public final class AlreadyExistsException extends Exception {
  public AlreadyExistsException(String message) {
    super(message);
  }
}
