package io.groupsnap.devkit.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The bench's figures: percentiles, ratio, overhead, their text row and their JSON-ready shape. No timing. */
class FiguresTest {
  private static final long MS = 1_000_000;

  /** 1..100 ms, shuffled: p50 is 50 ms and p99 is 99 ms (nearest rank). */
  private static List<Long> oneToHundredMillis(long scale) {
    List<Long> l = new ArrayList<>(LongStream.rangeClosed(1, 100).map(v -> v * scale).boxed().toList());
    java.util.Collections.shuffle(l, new java.util.Random(7));
    return l;
  }

  @Test
  void percentiles_ratioAndOverhead_comeFromTheSamples() {
    Figures f = Figures.of(12, "tls", oneToHundredMillis(MS / 10), oneToHundredMillis(MS), oneToHundredMillis(3 * MS));
    assertThat(f.samples()).isEqualTo(100);
    assertThat(f.floor()).isEqualTo(new Figures.Spread(5 * MS, 99 * MS / 10));
    assertThat(f.window()).isEqualTo(new Figures.Spread(50 * MS, 99 * MS));
    assertThat(f.latency()).isEqualTo(new Figures.Spread(150 * MS, 297 * MS));
    assertThat(f.ratio()).isEqualTo(10.0);
    assertThat(f.overhead()).isEqualTo(new Figures.Spread(45 * MS, 99 * MS - 99 * MS / 10));
  }

  @Test
  void aZeroFloor_hasNoRatio() {
    Figures f = Figures.of(1, "insecure", List.of(0L), List.of(MS), List.of(2 * MS));
    assertThat(f.ratio()).isNaN();
    assertThat(f.row()).matches("1 +insecure +0\\.00 / 0\\.00 +1\\.00 / 1\\.00 +- +1\\.00 / 1\\.00 +2\\.00 / 2\\.00");
    assertThat(f.json()).containsEntry("ratio", null);
  }

  @Test
  void row_printsMillisecondsWithTwoDecimals_inTheHeadersColumns() {
    Figures f = Figures.of(3, "tls", List.of(1_234_567L), List.of(4_500_000L), List.of(62_000_000L));
    assertThat(f.row()).matches("3 +tls +1\\.23 / 1\\.23 +4\\.50 / 4\\.50 +3\\.6 +3\\.27 / 3\\.27 +62\\.00 / 62\\.00");
    assertThat(f.row()).hasSize(Figures.HEADER.length());
  }

  @Test
  void json_namesEveryFigure_inMilliseconds() {
    Figures f = Figures.of(3, "tls", List.of(1_234_567L, 2_000_000L), List.of(4_500_000L, 9_000_000L),
        List.of(62_000_000L, 70_000_000L));
    Map<String, Object> j = f.json();
    assertThat(j).containsOnlyKeys("members", "transport", "samples", "floorMillis", "windowMillis", "ratio",
        "overheadMillis", "createToCommittedMillis");
    assertThat(j).containsEntry("members", 3).containsEntry("transport", "tls").containsEntry("samples", 2);
    assertThat(j.get("floorMillis")).isEqualTo(Map.of("p50", 1.235, "p99", 2.0));
    assertThat(j.get("windowMillis")).isEqualTo(Map.of("p50", 4.5, "p99", 9.0));
    assertThat(j.get("overheadMillis")).isEqualTo(Map.of("p50", 3.265, "p99", 7.0));
    assertThat(j.get("createToCommittedMillis")).isEqualTo(Map.of("p50", 62.0, "p99", 70.0));
    assertThat(j).containsEntry("ratio", 3.65);
  }

  @Test
  void tlsCost_isTheDifferenceOfTheMedians() {
    Figures tls = Figures.of(3, "tls", List.of(2 * MS), List.of(10 * MS), List.of(50 * MS));
    Figures insecure = Figures.of(3, "insecure", List.of(2 * MS), List.of(7 * MS), List.of(55 * MS));
    assertThat(Figures.tlsCost(tls, insecure)).startsWith("3        tls-cost")
        .contains("+0.00 p50", "+3.00 p50", "-5.00 p50");
  }

  @Test
  void timeToFrozen_whenMeasured_isItsOwnRowAndJsonEntry() {
    Figures f = Figures.of(3, "tls", List.of(MS), List.of(2 * MS), List.of(3 * MS), List.of(450_000L));
    assertThat(f.frozen()).isEqualTo(new Figures.Spread(450_000L, 450_000L));
    assertThat(f.frozenRow()).isEqualTo("3        tls       time to frozen p50/p99 (slowest member): 0.45 / 0.45");
    assertThat(f.json().get("timeToFrozenMillis")).isEqualTo(Map.of("p50", 0.45, "p99", 0.45));
    Figures without = Figures.of(3, "tls", List.of(MS), List.of(2 * MS), List.of(3 * MS), List.of());
    assertThat(without.frozen()).isNull();
    assertThat(without.frozenRow()).isEmpty();
    assertThat(without.json()).doesNotContainKey("timeToFrozenMillis");
  }

  @Test
  void unevenSamples_areRefused() {
    assertThatThrownBy(() -> Figures.of(1, "tls", List.of(1L), List.of(), List.of(1L)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("as many");
    assertThatThrownBy(() -> Figures.of(1, "tls", List.of(), List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
