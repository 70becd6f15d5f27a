package io.groupsnap.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring files in {@code deploy/}: the alerting rules pass {@code promtool check rules} and their unit tests
 * ({@code promtool test rules}), the Grafana dashboard's queries are valid PromQL, and every metric either uses is one
 * docs/operations.md lists. promtool comes with Debian's package {@code prometheus}: without it these tests are skipped,
 * except under {@code GROUPSNAP_CI}, where they fail.
 */
class MonitoringFilesTest {
  private static final Path PROMETHEUS = Path.of("../deploy/prometheus");
  private static final Path DASHBOARD = Path.of("../deploy/grafana/groupsnap.json");
  private static final Path OPERATIONS = Path.of("../docs/operations.md");
  private static final Pattern METRIC = Pattern.compile("groupsnap_[a-z_]+");

  @TempDir Path tmp;

  @Test
  void alertRules_passPromtoolsCheck_andTheirUnitTests() throws Exception {
    Path promtool = promtool();
    assertThat(run(promtool, "check", "rules", "alerts.yaml")).contains("SUCCESS");
    assertThat(run(promtool, "test", "rules", "alerts-test.yaml")).contains("SUCCESS");
  }

  @Test
  void dashboardQueries_areValidPromQl() throws Exception {
    Path promtool = promtool();
    List<String> exprs = dashboardQueries();
    assertThat(exprs).hasSizeGreaterThan(10);
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    for (int i = 0; i < exprs.size(); i++) {
      String expr = exprs.get(i).replace("$__rate_interval", "5m");
      rules.append("      - record: dashboard:query").append(i).append("\n        expr: ")
          .append(new ObjectMapper().writeValueAsString(expr)).append('\n');
    }
    Path file = Files.writeString(tmp.resolve("dashboard-rules.yaml"), rules);
    assertThat(run(promtool, "check", "rules", file.toAbsolutePath().toString()))
        .contains("SUCCESS: " + exprs.size() + " rules found");
  }

  @Test
  void everyMetricTheAlertsAndTheDashboardUse_isDocumented() throws IOException {
    Set<String> documented = documentedMetrics(Files.readString(OPERATIONS));
    assertThat(documented).contains("groupsnap_group_snapshots_total", "groupsnap_agent_holds_active");
    Set<String> used = new TreeSet<>(metrics(Files.readString(PROMETHEUS.resolve("alerts.yaml"))));
    dashboardQueries().forEach(q -> used.addAll(metrics(q)));
    for (String m : used) {
      assertThat(documented).as("%s is used by an alert or the dashboard", m).contains(family(m));
    }
  }

  /** The metric names in the tables of the "Metrics" section: the first column of each row, in backquotes. */
  static Set<String> documentedMetrics(String operations) {
    int start = operations.indexOf("\n## Metrics\n");
    int end = operations.indexOf("\n## ", start + 1);
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^\\| `(groupsnap_[a-z_]+)` \\|").matcher(operations.substring(start, end));
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** A histogram's series name without its suffix. */
  private static String family(String series) {
    return series.replaceFirst("_(bucket|count|sum|max)$", "");
  }

  private static Set<String> metrics(String text) {
    Set<String> out = new TreeSet<>();
    Matcher m = METRIC.matcher(text);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  private static List<String> dashboardQueries() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> out = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      for (JsonNode t : panel.path("targets")) {
        out.add(t.get("expr").asText());
      }
    }
    return out;
  }

  private static Path promtool() {
    Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .filter(d -> !d.isEmpty()).map(d -> Path.of(d, "promtool")).filter(Files::isExecutable).findFirst();
    if (found.isEmpty() && System.getenv("GROUPSNAP_CI") != null) {
      throw new AssertionError("promtool is missing (Debian: package prometheus); GROUPSNAP_CI is set, so this fails");
    }
    Assumptions.assumeTrue(found.isPresent(), "promtool is missing (Debian: package prometheus): skipped");
    return found.get();
  }

  /** Runs promtool in deploy/prometheus; returns its output, failing the test unless it exits 0. */
  private static String run(Path promtool, String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of(promtool.toString()));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).directory(PROMETHEUS.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("%s:%n%s", argv, text).isZero();
    return text;
  }
}
