package io.groupsnap.coordinator.sim;

/** A guarantee broken during a run; the simulation turns it into a {@link SimulationFailure} with seed and trace. */
final class InvariantViolation extends RuntimeException {
  private final String guarantee;

  /**
   * @param guarantee which one: "G1" to "G4", "liveness", or "crash" for an unexpected exception
   * @param detail what exactly
   */
  InvariantViolation(String guarantee, String detail) {
    super(detail);
    this.guarantee = guarantee;
  }

  InvariantViolation(String guarantee, String detail, Throwable cause) {
    super(detail, cause);
    this.guarantee = guarantee;
  }

  String guarantee() {
    return guarantee;
  }
}
