package io.groupsnap.cli.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.common.tls.TlsFiles;
import io.groupsnap.common.tls.TransportSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TlsOptionsTest {
  static final Map<String, String> DEV_ENV = Map.of("GROUPSNAP_TLS_CA", "/dev/tls/ca.pem",
      "GROUPSNAP_TLS_CERT", "/dev/tls/admin.pem", "GROUPSNAP_TLS_KEY", "/dev/tls/admin.key");

  static TlsOptions flags(boolean insecure, String ca, String cert, String key) {
    TlsOptions o = new TlsOptions();
    o.insecure = insecure;
    o.ca = ca == null ? null : Path.of(ca);
    o.cert = cert == null ? null : Path.of(cert);
    o.key = key == null ? null : Path.of(key);
    return o;
  }

  @Test
  void theEnvironment_namesTheFiles_orInsecure() throws Exception {
    assertThat(flags(false, null, null, null).settings(DEV_ENV::get)).isEqualTo(TransportSettings.tls(
        new TlsFiles(Path.of("/dev/tls/ca.pem"), Path.of("/dev/tls/admin.pem"), Path.of("/dev/tls/admin.key"))));
    assertThat(flags(false, null, null, null).settings(Map.of("GROUPSNAP_INSECURE", "1")::get))
        .isEqualTo(TransportSettings.plaintext());
  }

  @Test
  void flags_replaceTheEnvironmentEntirely() throws Exception {
    assertThat(flags(true, null, null, null).settings(DEV_ENV::get)).isEqualTo(TransportSettings.plaintext());
    assertThat(flags(false, "/a", "/b", "/c").settings(Map.of("GROUPSNAP_INSECURE", "1")::get))
        .isEqualTo(TransportSettings.tls(new TlsFiles(Path.of("/a"), Path.of("/b"), Path.of("/c"))));
  }

  @Test
  void nothing_orBoth_orAPart_isBadInput_sayingWhatToSet() {
    assertThatThrownBy(() -> flags(false, null, null, null).settings(k -> null)).isInstanceOf(CliException.class)
        .hasMessage("no TLS credentials: give --tls-ca, --tls-cert and --tls-key (or set GROUPSNAP_TLS_CA, "
            + "GROUPSNAP_TLS_CERT, GROUPSNAP_TLS_KEY, e.g. from a dev cluster's dev.env), or --insecure for a "
            + "cluster started insecure")
        .extracting(e -> ((CliException) e).exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThatThrownBy(() -> flags(true, "/a", null, null).settings(k -> null)).hasMessage("--insecure and "
        + "--tls-ca/--tls-cert/--tls-key exclude each other: plaintext or TLS, not both");
    assertThatThrownBy(() -> flags(false, "/a", "/b", null).settings(k -> null))
        .hasMessage("--tls-key is missing: --tls-ca, --tls-cert and --tls-key go together");
    Map<String, String> partial = Map.of("GROUPSNAP_TLS_CA", "/a", "GROUPSNAP_TLS_KEY", "/c");
    assertThatThrownBy(() -> flags(false, null, null, null).settings(partial::get))
        .hasMessage("GROUPSNAP_TLS_CERT is missing: GROUPSNAP_TLS_CA, GROUPSNAP_TLS_CERT and GROUPSNAP_TLS_KEY go "
            + "together");
    Map<String, String> both = Map.of("GROUPSNAP_INSECURE", "1", "GROUPSNAP_TLS_CA", "/a");
    assertThatThrownBy(() -> flags(false, null, null, null).settings(both::get)).hasMessageStartingWith(
        "GROUPSNAP_INSECURE=1 and GROUPSNAP_TLS_CA/GROUPSNAP_TLS_CERT/GROUPSNAP_TLS_KEY exclude each other");
    assertThatThrownBy(() -> flags(false, null, null, null).settings(Map.of("GROUPSNAP_INSECURE", "yes")::get))
        .hasMessage("GROUPSNAP_INSECURE: 'yes' is neither 1 nor 0");
  }
}
