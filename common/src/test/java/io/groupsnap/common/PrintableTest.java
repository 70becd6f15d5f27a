package io.groupsnap.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrintableTest {
  @Test
  void value_escapesControlAndFormatCharacters_onOneLine() {
    assertThat(Printable.value("a\nb\r\tc\u0007d\u202ee\u2028f")).isEqualTo("a\\nb\\r\\tc\\u0007d\\u202ee\\u2028f");
  }

  @Test
  void value_cutsALongValue_afterSixtyFourCharacters_sayingHowLongItWas() {
    String shown = Printable.value("x".repeat(100_000));
    assertThat(shown).isEqualTo("x".repeat(64) + "…(100000 chars)");
  }

  @Test
  void value_keepsShortValues_andNeverSplitsASurrogatePair() {
    assertThat(Printable.value("agent-1")).isEqualTo("agent-1");
    assertThat(Printable.value("x".repeat(64))).isEqualTo("x".repeat(64));
    String emoji = "x".repeat(63) + "\uD83D\uDE00" + "y";
    assertThat(Printable.value(emoji)).isEqualTo("x".repeat(63) + "…(66 chars)");
    assertThat(Printable.value(null)).isEqualTo("null");
  }

  @Test
  void line_boundsAWholeMessage() {
    String shown = Printable.line("e".repeat(5000) + "\n");
    assertThat(shown).hasSize(Printable.LINE_CHARS + "…(5001 chars)".length()).doesNotContain("\n");
  }

  @Test
  void namesPrintable_isTheSameHelper() {
    assertThat(Names.printable("line\nbreak" + "z".repeat(200))).isEqualTo(Printable.value("line\nbreak"
        + "z".repeat(200)));
  }
}
