package io.groupsnap.coordinator.sim;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Silences the agent's per-transaction logging while a simulation test class runs (tens of thousands of simulated
 * thaws would otherwise be logged), and restores the level afterwards.
 */
final class QuietLogs implements BeforeAllCallback, AfterAllCallback {
  private static final String AGENT = "io.groupsnap.agent";
  private Level before;

  @Override
  public void beforeAll(ExtensionContext context) {
    Logger agent = (Logger) LoggerFactory.getLogger(AGENT);
    before = agent.getLevel();
    agent.setLevel(Level.ERROR);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    ((Logger) LoggerFactory.getLogger(AGENT)).setLevel(before);
  }
}
