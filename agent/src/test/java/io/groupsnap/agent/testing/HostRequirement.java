package io.groupsnap.agent.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when the host lacks something it needs (root, loop devices, a tool, PostgreSQL, cgroups, network
 * namespaces): it fails when {@value #CI_VARIABLE} is set — CI must never skip such a suite silently — and is skipped
 * otherwise.
 */
public final class HostRequirement {
  /** Set by {@code .ci/run}. */
  public static final String CI_VARIABLE = "GROUPSNAP_CI";

  private HostRequirement() {}

  /** Fails (in CI) or skips the current test; {@code message} says what it needs and what is missing. */
  public static void unmet(String message) {
    unmet(message, System.getenv(CI_VARIABLE) != null);
  }

  /** Fails ({@code ci}) or skips the current test. */
  public static void unmet(String message, boolean ci) {
    if (ci) {
      Assertions.fail(message + " (" + CI_VARIABLE + " is set, so this is a failure, not a skip)");
    }
    Assumptions.abort(message + " — skipped (set " + CI_VARIABLE + " to make this a failure)");
  }
}
