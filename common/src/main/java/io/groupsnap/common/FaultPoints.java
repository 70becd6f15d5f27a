package io.groupsnap.common;

/**
 * Named points on production paths where a test may inject a fault into a real process (halt it, delay it). Whoever
 * builds a component hands it its fault points; a component never looks them up itself. Production and unit tests
 * pass {@link #NONE}; a daemon started by the multi-host test harness gets {@link SystemFaultPoints}.
 *
 * <p>Points: {@code coordinator.after-freeze-sent}, {@code coordinator.after-all-frozen} (before THAW is sent),
 * {@code coordinator.after-thaw-sent}, {@code coordinator.before-commit-write}, {@code coordinator.after-commit-write},
 * {@code agent.freeze} (as FREEZE starts), {@code agent.after-frozen} (before the FROZEN answer); of in-place restores,
 * {@code agent.in-place-stage} (as a volume's stage starts), {@code agent.in-place-switch} (as SWITCH starts),
 * {@code agent.in-place-between-renames} (between a volume's two renames).
 *
 * <p>Implementations are thread-safe; {@link #hit} may block (a delay) or never return (a halt).
 */
@FunctionalInterface
public interface FaultPoints {
  /** No fault anywhere: {@link #hit} does nothing. */
  FaultPoints NONE = point -> { };

  /** The caller reached {@code point}: carries out whatever is armed there, if anything. */
  void hit(String point);

  /** Thrown by {@link #hit} at a point armed to fail: the caller treats it as the failure of its own work there. */
  final class InjectedFault extends RuntimeException {
    public InjectedFault(String point) {
      super("injected fault at " + point);
    }
  }
}
