package io.groupsnap.common.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.groupsnap.common.Durations;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.Names;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fuzzes the parsers of what operators write — names, durations, {@code host:port} — with arbitrary text. Each either
 * accepts a value that keeps its promise (a name with no path separator or "..", a positive duration of at most ten
 * years, an endpoint that prints and reads back as itself) or throws IllegalArgumentException with a bounded one-line
 * message; no other exception.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ParsersFuzzTest {
  /** The longest message a parser may give (a quoted value is cut at 64 characters). */
  static final int MAX_MESSAGE = 300;

  @FuzzTest(maxDuration = "5m")
  void parsers(FuzzedDataProvider data) {
    int which = data.consumeInt(0, 2);
    String text = data.consumeRemainingAsString();
    switch (which) {
      case 0 -> name(text);
      case 1 -> duration(text);
      default -> endpoint(text);
    }
  }

  @Test
  @Order(1)
  void shortRun() {
    ShortFuzz.Report r = ShortFuzz.of(ParsersFuzzTest.class, "parsers").budget(1500, 20_000)
        .seeds(List.of(seed(0, "agent-1"), seed(0, "gs-2026.01_x"), seed(1, "500ms"), seed(1, "PT10S"),
            seed(1, "3650d"), seed(2, "127.0.0.1:7400"), seed(2, "[::1]:0"), seed(2, "host.example:65535")))
        .run(this::parsers);
    assertThat(r.runs()).isGreaterThan(r.seeds());
  }

  private static byte[] seed(int which, String text) {
    // FuzzedDataProvider reads integers from the end of the input and strings from the start
    byte[] t = text.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[t.length + 1];
    System.arraycopy(t, 0, out, 0, t.length);
    out[t.length] = (byte) which;
    return out;
  }

  private static void name(String text) {
    boolean valid = Names.isValid(text);
    try {
      assertThat(Names.require("name", text)).isEqualTo(text);
      assertThat(valid).as("require accepted what isValid refuses: %s", text).isTrue();
      assertThat(text).hasSizeBetween(1, 63).doesNotContain("/", "..", "\\", " ").matches("[A-Za-z0-9][\\x21-\\x7e]*");
    } catch (IllegalArgumentException e) {
      assertThat(valid).as("require refused what isValid accepts: %s", text).isFalse();
      FuzzChecks.printableLine("message", e.getMessage(), MAX_MESSAGE);
    }
  }

  private static void duration(String text) {
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      FuzzChecks.printableLine("message", e.getMessage(), MAX_MESSAGE);
      return;
    }
    assertThat(d).isPositive().isLessThanOrEqualTo(Durations.MAX);
    d.toNanos(); // never overflows below MAX
    FuzzChecks.oneLine("format", Durations.format(d), 40);
  }

  private static void endpoint(String text) {
    HostPort hp;
    try {
      hp = HostPort.parse(text);
    } catch (IllegalArgumentException e) {
      FuzzChecks.printableLine("message", e.getMessage(), MAX_MESSAGE);
      return;
    }
    assertThat(hp.port()).isBetween(0, 65535);
    assertThat(hp.host()).isNotBlank();
    assertThat(HostPort.parse(hp.toString())).as("%s read back", hp).isEqualTo(hp);
  }
}
