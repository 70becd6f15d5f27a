package io.groupsnap.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.agent.Agent;
import io.groupsnap.common.testing.MetricsScrape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

  /**
   * Every groupsnap metric the daemons serve is listed in the operator guide's "Metrics" tables, and every one listed
   * there is served (a histogram by its family name).
   */
  void assertDocumentedIn(Path operations) throws IOException {
    String text = Files.readString(operations);
    int start = text.indexOf("\n## Metrics\n");
    Matcher m = Pattern.compile("(?m)^\\| `(groupsnap_[a-z_]+)` \\|").matcher(text.substring(start,
        text.indexOf("\n## ", start + 1)));
    Set<String> documented = new TreeSet<>();
    while (m.find()) {
      documented.add(m.group(1));
    }
    Set<String> served = new TreeSet<>();
    for (MetricsScrape s : allScrapes()) {
      s.samples().stream().map(MetricsScrape.Sample::name).filter(n -> n.startsWith("groupsnap_"))
          .forEach(served::add);
    }
    for (String name : served) {
      assertThat(documented).as("%s is served: docs/operations.md must list it", name)
          .contains(name.replaceFirst("_(bucket|count|sum|max)$", ""));
    }
    for (String name : documented) {
      assertThat(served).as("%s is documented: some daemon must serve it", name)
          .containsAnyOf(name, name + "_count");
    }
  }

  private Iterable<MetricsScrape> allScrapes() {
    java.util.List<MetricsScrape> all = new java.util.ArrayList<>(agents.values());
    all.add(coordinator);
    return all;
  }
}
