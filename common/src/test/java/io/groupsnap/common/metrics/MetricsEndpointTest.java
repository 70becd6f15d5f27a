package io.groupsnap.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.common.HostPort;
import io.groupsnap.common.testing.MetricsScrape;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {
  final PrometheusMeterRegistry registry = Meters.registry("test");
  MetricsEndpoint endpoint;

  @AfterEach
  void stop() {
    if (endpoint != null) {
      endpoint.close();
    }
  }

  @Test
  void scrape_overASocket_showsCountersHistogramsAndBuildInfo_inPrometheusText() throws Exception {
    endpoint = MetricsEndpoint.start("test.listen", new HostPort("127.0.0.1", 0), registry);
    assertThat(endpoint.address().port()).isPositive();
    Counter c = Counter.builder("groupsnap.things").tag("kind", "a").register(registry);
    Timer t = Meters.histogram("groupsnap.thing.window", "how long").register(registry);

    MetricsScrape before = MetricsScrape.fetch(endpoint.address());
    c.increment();
    c.increment();
    t.record(Duration.ofMillis(30));
    MetricsScrape after = MetricsScrape.fetch(endpoint.address());

    assertThat(after.contentType()).isEqualTo(MetricsEndpoint.CONTENT_TYPE);
    assertThat(after.type("groupsnap_things_total")).isEqualTo("counter");
    assertThat(after.sum("groupsnap_things_total", "kind", "a") - before.sum("groupsnap_things_total", "kind", "a"))
        .isEqualTo(2);
    assertThat(after.type("groupsnap_thing_window_seconds")).isEqualTo("histogram");
    assertThat(after.sum("groupsnap_thing_window_seconds_count")).isEqualTo(1);
    assertThat(after.sum("groupsnap_thing_window_seconds_sum")).isEqualTo(0.03);
    assertThat(after.sum("groupsnap_thing_window_seconds_bucket", "le", "0.025")).isZero();
    assertThat(after.sum("groupsnap_thing_window_seconds_bucket", "le", "0.05")).isEqualTo(1);
    assertThat(after.sum("groupsnap_thing_window_seconds_bucket", "le", "+Inf")).isEqualTo(1);
    assertThat(after.sum("groupsnap_build_info", "daemon", "test")).isEqualTo(1);
    assertThat(after.has("jvm_memory_used_bytes")).isTrue();
  }

  @Test
  void otherPathsAndMethods_areRefused_andHeadAnswersWithoutABody() throws Exception {
    endpoint = MetricsEndpoint.start("test.listen", new HostPort("127.0.0.1", 0), registry);
    HttpResponse<String> other = MetricsScrape.get(endpoint.address(), "/", "GET");
    assertThat(other.statusCode()).isEqualTo(404);
    HttpResponse<String> post = MetricsScrape.get(endpoint.address(), "/metrics", "POST");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
    HttpResponse<String> head = MetricsScrape.get(endpoint.address(), "/metrics", "HEAD");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void aTakenPort_failsWithOneLineNamingTheSettingAndTheAddress() throws Exception {
    endpoint = MetricsEndpoint.start("test.listen", new HostPort("127.0.0.1", 0), registry);
    HostPort taken = endpoint.address();
    assertThatThrownBy(() -> MetricsEndpoint.start("--metrics-listen", taken, registry))
        .isInstanceOf(MetricsEndpoint.UnavailableException.class)
        .hasMessageStartingWith("--metrics-listen " + taken + ": cannot listen: ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void close_isIdempotent_andFreesThePort() throws Exception {
    endpoint = MetricsEndpoint.start("test.listen", new HostPort("127.0.0.1", 0), registry);
    HostPort address = endpoint.address();
    endpoint.close();
    endpoint.close();
    endpoint = MetricsEndpoint.start("test.listen", address, registry);
    assertThat(MetricsScrape.fetch(endpoint.address()).has("groupsnap_build_info")).isTrue();
  }
}
