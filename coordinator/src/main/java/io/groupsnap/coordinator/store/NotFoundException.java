package io.groupsnap.coordinator.store;

/** The named group snapshot does not exist. */
public final class NotFoundException extends Exception {
  public NotFoundException(String message) {
    super(message);
  }
}
