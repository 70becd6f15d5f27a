package io.groupsnap.coordinator.inplace;

import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_CANCELLED;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_CANCELLING;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_CONFIRMED;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_ROLLED_BACK;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_ROLLING_BACK;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_STAGING;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_STARTING;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_STOPPING;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_SWITCHED;
import static io.groupsnap.proto.v1.InPlaceState.IN_PLACE_SWITCHING;

import io.groupsnap.proto.v1.InPlaceState;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The states of an in-place restore record and the transitions allowed between them (docs/protocol.md):
 *
 * <pre>
 *  STAGING ─► STOPPING ─► SWITCHING ─► STARTING ─► SWITCHED ─► CONFIRMED
 *     └──────────┴──► CANCELLING ─► CANCELLED            └──► ROLLING_BACK ─► ROLLED_BACK
 * </pre>
 *
 * SWITCHING is the commit point: from there on only forward (or, once SWITCHED, an operator's rollback). CONFIRMED,
 * CANCELLED and ROLLED_BACK absorb.
 */
public final class InPlaceStates {
  private static final Map<InPlaceState, Set<InPlaceState>> NEXT = Map.of(
      IN_PLACE_STAGING, EnumSet.of(IN_PLACE_STOPPING, IN_PLACE_CANCELLING),
      IN_PLACE_STOPPING, EnumSet.of(IN_PLACE_SWITCHING, IN_PLACE_CANCELLING),
      IN_PLACE_SWITCHING, EnumSet.of(IN_PLACE_STARTING),
      IN_PLACE_STARTING, EnumSet.of(IN_PLACE_SWITCHED),
      IN_PLACE_SWITCHED, EnumSet.of(IN_PLACE_CONFIRMED, IN_PLACE_ROLLING_BACK),
      IN_PLACE_CANCELLING, EnumSet.of(IN_PLACE_CANCELLED),
      IN_PLACE_ROLLING_BACK, EnumSet.of(IN_PLACE_ROLLED_BACK));

  private static final Set<InPlaceState> UNSETTLED = EnumSet.of(IN_PLACE_STAGING, IN_PLACE_STOPPING,
      IN_PLACE_SWITCHING, IN_PLACE_STARTING, IN_PLACE_CANCELLING, IN_PLACE_ROLLING_BACK);

  private InPlaceStates() {}

  /** Whether {@code from → to} is allowed. */
  public static boolean allowed(InPlaceState from, InPlaceState to) {
    return NEXT.getOrDefault(from, Set.of()).contains(to);
  }

  /** The transition checked: IllegalStateException when it is not allowed. */
  public static void require(InPlaceState from, InPlaceState to) {
    if (!allowed(from, to)) {
      throw new IllegalStateException("in-place restore cannot go from " + label(from) + " to " + label(to));
    }
  }

  /**
   * Unsettled: members may be stopped, half-switched or about to be; no group snapshot, backup run or other in-place
   * restore may start on them. A state this build does not know counts as unsettled (never taken for done).
   */
  public static boolean unsettled(InPlaceState s) {
    return UNSETTLED.contains(s) || s == InPlaceState.UNRECOGNIZED;
  }

  /** The states a RestoreInPlace call answers in: the restore is settled for now. */
  public static boolean answered(InPlaceState s) {
    return !unsettled(s);
  }

  /** {@code SWITCHED}, {@code ROLLING_BACK}: the name without its prefix. */
  public static String label(InPlaceState s) {
    return s.name().startsWith("IN_PLACE_") ? s.name().substring("IN_PLACE_".length()) : s.name();
  }

  /** Lower-case words, for events: {@code rolling back}. */
  static String words(InPlaceState s) {
    return label(s).toLowerCase(Locale.ROOT).replace('_', ' ');
  }
}
