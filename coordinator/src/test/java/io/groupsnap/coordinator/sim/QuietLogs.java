package io.groupsnap.coordinator.sim;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Silences the per-transaction logging of the agent and of the leader's transaction driver while a simulation test
 * class runs (tens of thousands of simulated thaws and outcomes would otherwise be logged), and restores the levels
 * afterwards.
 */
final class QuietLogs implements BeforeAllCallback, AfterAllCallback {
  private static final List<String> LOGGERS = List.of("io.groupsnap.agent", "io.groupsnap.coordinator.txn");
  private final Map<String, Level> before = new HashMap<>();

  @Override
  public void beforeAll(ExtensionContext context) {
    for (String name : LOGGERS) {
      Logger logger = (Logger) LoggerFactory.getLogger(name);
      before.put(name, logger.getLevel());
      logger.setLevel(Level.ERROR);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    before.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
  }
}
