package io.groupsnap.common.testing;

import io.groupsnap.common.HostPort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scrape of a metrics endpoint over a real socket, parsed from the Prometheus text format: samples by name and
 * labels, and the {@code # TYPE} of each family. Shared by the tests of common, the daemons and the integration tests
 * (common's test-jar). The parser is the test's own, so that a malformed exposition fails the test rather than being
 * read leniently.
 */
public final class MetricsScrape {
  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;
  private final Map<String, String> types;
  private final String contentType;

  private MetricsScrape(List<Sample> samples, Map<String, String> types, String contentType) {
    this.samples = samples;
    this.types = types;
    this.contentType = contentType;
  }

  /** GETs {@code http://address/metrics}; fails unless it answers 200. */
  public static MetricsScrape fetch(HostPort address) throws IOException, InterruptedException {
    HttpResponse<String> r = get(address, "/metrics", "GET");
    if (r.statusCode() != 200) {
      throw new AssertionError("GET /metrics on " + address + " answered " + r.statusCode() + ": " + r.body());
    }
    return parse(r.body(), r.headers().firstValue("Content-Type").orElse(""));
  }

  /** A request to any path with any method, for the tests of the endpoint itself. */
  public static HttpResponse<String> get(HostPort address, String path, String method)
      throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + address + path))
        .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody()).build();
    return client.send(req, HttpResponse.BodyHandlers.ofString());
  }

  /** Parses a text exposition; throws on a line that is not a comment, blank or a sample. */
  public static MetricsScrape parse(String text, String contentType) {
    List<Sample> samples = new ArrayList<>();
    Map<String, String> types = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        String[] p = line.substring(7).split(" ");
        types.put(p[0], p[1]);
        continue;
      }
      if (line.startsWith("#")) {
        continue;
      }
      samples.add(sample(line));
    }
    return new MetricsScrape(List.copyOf(samples), Map.copyOf(types), contentType);
  }

  private static Sample sample(String line) {
    int brace = line.indexOf('{');
    int space = line.indexOf(' ');
    Map<String, String> labels = new LinkedHashMap<>();
    String name;
    int rest;
    if (brace >= 0 && (space < 0 || brace < space)) {
      name = line.substring(0, brace);
      rest = labels(line, brace + 1, labels);
    } else {
      name = line.substring(0, space);
      rest = space;
    }
    String[] value = line.substring(rest).trim().split(" ");
    return new Sample(name, Map.copyOf(labels), Double.parseDouble(value[0]));
  }

  /** Reads {@code k="v",...}} from {@code i}; returns the index after the closing brace. */
  private static int labels(String line, int i, Map<String, String> out) {
    while (line.charAt(i) != '}') {
      int eq = line.indexOf('=', i);
      String key = line.substring(i, eq);
      if (line.charAt(eq + 1) != '"') {
        throw new IllegalArgumentException("label value not quoted: " + line);
      }
      StringBuilder v = new StringBuilder();
      int j = eq + 2;
      for (; line.charAt(j) != '"'; j++) {
        char c = line.charAt(j);
        if (c == '\\') {
          char n = line.charAt(++j);
          v.append(n == 'n' ? '\n' : n);
        } else {
          v.append(c);
        }
      }
      out.put(key, v.toString());
      i = j + 1;
      if (line.charAt(i) == ',') {
        i++;
      }
    }
    return i + 1;
  }

  public List<Sample> samples() {
    return samples;
  }

  public String contentType() {
    return contentType;
  }

  /** The {@code # TYPE} of a family ("counter", "gauge", "histogram"), or null when it is not declared. */
  public String type(String family) {
    return types.get(family);
  }

  /**
   * The sum of the samples named {@code name} whose labels include {@code labels} (key, value, key, value, ...); 0
   * when there are none.
   */
  public double sum(String name, String... labels) {
    return matching(name, labels).stream().mapToDouble(Sample::value).sum();
  }

  /** Whether a sample named {@code name} with these labels is there. */
  public boolean has(String name, String... labels) {
    return !matching(name, labels).isEmpty();
  }

  /** The samples named {@code name} whose labels include {@code labels}. */
  public List<Sample> matching(String name, String... labels) {
    if (labels.length % 2 != 0) {
      throw new IllegalArgumentException("labels come in key, value pairs");
    }
    return samples.stream().filter(s -> s.name().equals(name)).filter(s -> {
      for (int i = 0; i < labels.length; i += 2) {
        if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
          return false;
        }
      }
      return true;
    }).toList();
  }
}
