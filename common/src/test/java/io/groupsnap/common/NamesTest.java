package io.groupsnap.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
  @ParameterizedTest
  @ValueSource(strings = {"agent-1", "db.primary", "A_b-9", "x"})
  void accepts_plainNames(String name) {
    assertThat(Names.isValid(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-x", ".hidden", "a/b", "..", "a..b", "a b", "a;rm -rf", "$(id)", "a`b`", "ä",
      "x\u0000y", "0123456789012345678901234567890123456789012345678901234567890123"})
  void refuses_separatorsShellCharactersAndOverlongNames(String name) {
    assertThat(Names.isValid(name)).isFalse();
    assertThatThrownBy(() -> Names.require("volume", name)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("volume");
  }

  @ParameterizedTest
  @ValueSource(strings = {"line\nbreak", "bell\u0007"})
  void printable_replacesControlCharacters(String name) {
    assertThat(Names.printable(name)).doesNotContain("\n", "\u0007");
  }
}
