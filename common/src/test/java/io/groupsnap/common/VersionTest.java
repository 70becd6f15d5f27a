package io.groupsnap.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class VersionTest {
  @Test
  void theCurrentVersion_isTheProjectVersion_filteredInByTheBuild() {
    assertThat(Version.current()).doesNotContain("${").isNotEqualTo(Version.UNKNOWN)
        .matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(Version.majorMinor(Version.current())).isPresent();
  }

  @Test
  void anUnfilteredOrMissingVersion_isUnknown() {
    Properties unfiltered = new Properties();
    unfiltered.setProperty("version", "${project.version}");
    assertThat(Version.parse(unfiltered)).isEqualTo(Version.UNKNOWN);
    assertThat(Version.parse(new Properties())).isEqualTo(Version.UNKNOWN);
    Properties set = new Properties();
    set.setProperty("version", " 1.2.3 ");
    assertThat(Version.parse(set)).isEqualTo("1.2.3");
  }

  @Test
  void majorMinor_ignoresPatchAndSuffix_andRefusesOtherForms() {
    assertThat(Version.majorMinor("0.1.0-SNAPSHOT")).contains("0.1");
    assertThat(Version.majorMinor("1.12.3")).contains("1.12");
    assertThat(Version.majorMinor("2.0")).contains("2.0");
    assertThat(Version.majorMinor("01.02.0~rc1")).contains("1.2");
    assertThat(Version.majorMinor("unknown")).isEmpty();
    assertThat(Version.majorMinor("")).isEmpty();
    assertThat(Version.majorMinor(null)).isEmpty();
    assertThat(Version.majorMinor("1")).isEmpty();
  }

  @Test
  void aMismatch_isADifferentMajorOrMinor_only() {
    assertThat(Version.mismatch("0.1.0", "0.1.7-SNAPSHOT")).isFalse();
    assertThat(Version.mismatch("0.1.0", "0.2.0")).isTrue();
    assertThat(Version.mismatch("1.1.0", "0.1.0")).isTrue();
    assertThat(Version.mismatch("0.1.0", "unknown")).isFalse();
    assertThat(Version.mismatch("", "0.2.0")).isFalse();
  }
}
