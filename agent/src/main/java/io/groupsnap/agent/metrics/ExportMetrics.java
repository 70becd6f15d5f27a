package io.groupsnap.agent.metrics;

import io.groupsnap.agent.export.ExportManager;
import io.groupsnap.proto.v1.ExportState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;

/**
 * What the agent's exports did: {@code groupsnap_agent_exports_total{kind,result}} (result {@code done} or {@code
 * failed}), {@code groupsnap_agent_export_bytes_total{kind}} (bytes of the captures exported) and {@code
 * groupsnap_agent_export_duration_seconds{kind,result}}. Thread-safe.
 */
final class ExportMetrics implements ExportManager.Listener {
  private final MeterRegistry registry;

  ExportMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void ended(String kind, ExportState state, long bytes, long millis) {
    String result = state == ExportState.EXPORT_DONE ? "done" : "failed";
    String k = kind.isEmpty() ? "unknown" : kind.toLowerCase(Locale.ROOT);
    Counter.builder("groupsnap.agent.exports").description("Exports of captures that ended, by kind and result")
        .tags("kind", k, "result", result).register(registry).increment();
    Counter.builder("groupsnap.agent.export.bytes").description("Bytes of the captures exported")
        .baseUnit("bytes").tags("kind", k).register(registry).increment(bytes);
    Timer.builder("groupsnap.agent.export.duration").description("How long exports of captures took")
        .tags("kind", k, "result", result).register(registry).record(Duration.ofMillis(Math.max(0, millis)));
  }
}
