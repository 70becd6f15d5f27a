package io.groupsnap.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {
  @Test
  void parses_hostPortAndBracketedV6() {
    assertThat(HostPort.parse("127.0.0.1:7300")).isEqualTo(new HostPort("127.0.0.1", 7300));
    assertThat(HostPort.parse("[::1]:80")).isEqualTo(new HostPort("::1", 80));
    assertThat(HostPort.parse("[::1]:80").toString()).isEqualTo("[::1]:80");
  }

  @ParameterizedTest
  @ValueSource(strings = {"host", ":80", "host:", "host:x", "host:70000"})
  void refuses_malformedEndpoints(String text) {
    assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a host:80", "host\n:80", "h\u001b[31m:80", "<x>:80", "h/x:80"})
  void refuses_hostsNoNameOrAddressHas_inOneLine(String text) {
    assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds a character no host name or address has").hasMessageNotContaining("\n");
  }

  @Test
  void accepts_namesAddressesAndScopedV6() {
    assertThat(HostPort.parse("db-1.internal_x:7400").host()).isEqualTo("db-1.internal_x");
    assertThat(HostPort.parse("[fe80::1%eth0]:7400").host()).isEqualTo("fe80::1%eth0");
  }
}
