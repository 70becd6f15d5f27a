package io.groupsnap.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @Test
  void parses_unitsAndIso() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse(" 3S ")).isEqualTo(Duration.ofSeconds(3));
    assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("P7D")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("P1DT2H")).isEqualTo(Duration.ofHours(26));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10", "10x", "-1s", "0s", "s", "1.5s", "PTxS", "99999999999s"})
  void refuses_malformedOrNonPositive_quotingTheText(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duration");
  }

  @ParameterizedTest
  @ValueSource(strings = {"PT2562047788015215H", "999999999h", "PT87601H"})
  void refuses_durationsBeyondTenYears_insteadOfOverflowingLater(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration '" + text + "' is too long (at most 87600h, ten years)");
    assertThat(Durations.parse("PT87600H").toNanos()).isEqualTo(Duration.ofDays(3650).toNanos());
  }

  @Test
  void quotesAnOverlongOrMultiLineText_escapedAndCut() {
    String text = "1\n".repeat(50_000);
    assertThatThrownBy(() -> Durations.parse(text)).hasMessageStartingWith("invalid duration '1\\n1\\n")
        .hasMessageContaining("…(100000 chars)").hasMessageNotContaining("\n1\n");
  }

  @Test
  void format_isShortAndHuman() {
    assertThat(Durations.format(Duration.ofMillis(850))).isEqualTo("850ms");
    assertThat(Durations.format(Duration.ofMillis(12_300))).isEqualTo("12.3s");
    assertThat(Durations.format(Duration.ofSeconds(245))).isEqualTo("4m05s");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "-1s", "-5m"})
  void refuses_aNegativeNumberAsNotPositive_notAsMalformed(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration '" + text + "' must be positive");
  }

  @Test
  void compact_writesTheLargestExactUnit_whichParsesBack() {
    assertThat(Durations.compact(Duration.ofHours(24))).isEqualTo("24h");
    assertThat(Durations.compact(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(Durations.compact(Duration.ofSeconds(3661))).isEqualTo("3661s");
    assertThat(Durations.compact(Duration.ZERO)).isEqualTo("0s");
    for (String s : new String[] {"24h", "90m", "45s"}) {
      assertThat(Durations.compact(Durations.parse(s))).isEqualTo(s);
    }
  }
}
