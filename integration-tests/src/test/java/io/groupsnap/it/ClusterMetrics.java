package io.groupsnap.it;

import io.groupsnap.agent.Agent;
import io.groupsnap.common.testing.MetricsScrape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One scrape of every metrics endpoint of a {@link ClusterFixture}, over HTTP: the coordinator's and each agent's.
 *
 * @param coordinator the coordinator's scrape
 * @param agents each agent's, by id
 */
record ClusterMetrics(MetricsScrape coordinator, Map<String, MetricsScrape> agents) {
  static ClusterMetrics scrape(ClusterFixture f) throws Exception {
    MetricsScrape c = MetricsScrape.fetch(f.cluster.coordinator().metricsAddress().orElseThrow());
    Map<String, MetricsScrape> a = new LinkedHashMap<>();
    for (Agent agent : f.cluster.agents().values()) {
      a.put(agent.id(), MetricsScrape.fetch(agent.metricsAddress().orElseThrow()));
    }
    return new ClusterMetrics(c, Map.copyOf(a));
  }

  /** How much a coordinator sample grew since {@code before}. */
  double coordinatorDelta(ClusterMetrics before, String name, String... labels) {
    return coordinator.sum(name, labels) - before.coordinator.sum(name, labels);
  }

  /** How much an agent's sample grew since {@code before}. */
  double agentDelta(ClusterMetrics before, String agent, String name, String... labels) {
    return agents.get(agent).sum(name, labels) - before.agents.get(agent).sum(name, labels);
  }
}
