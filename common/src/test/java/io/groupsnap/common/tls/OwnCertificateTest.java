package io.groupsnap.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A daemon started with a certificate that is not its own is refused at start, with one line naming the file. */
class OwnCertificateTest {
  @TempDir Path tmp;

  @Test
  void anAgent_refusesTheCertificateOfAnotherAgent_namingBoth() throws Exception {
    Pki pki = new Pki(tmp);
    TlsFiles other = pki.issue("agent-3", Set.of(Role.AGENT), "127.0.0.1");

    assertThatThrownBy(() -> TransportSettings.tls(other).openAs(Role.AGENT, "agent-2", Duration.ZERO))
        .isInstanceOf(TlsException.class)
        .hasMessage(other.cert() + ": is the certificate of 'agent-3', not of 'agent-2' (issue one with groupsnap "
            + "certs init --agent agent-2)");
  }

  @Test
  void aCoordinator_refusesACertificateWithoutTheCoordinatorRole() throws Exception {
    Pki pki = new Pki(tmp);
    TlsFiles operator = pki.issue("alice", Set.of(Role.OPERATOR), "127.0.0.1");

    assertThatThrownBy(() -> TransportSettings.tls(operator).openAs(Role.COORDINATOR, null, Duration.ZERO))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining(operator.cert() + ": is alice (operator): it lacks the coordinator role")
        .hasMessageNotContaining("\n");
  }

  @Test
  void itsOwnCertificate_isAccepted_andPlaintextIsNotChecked() throws Exception {
    Pki pki = new Pki(tmp);
    TlsFiles own = pki.issue("agent-2", Set.of(Role.AGENT), "127.0.0.1");

    try (Transport t = TransportSettings.tls(own).openAs(Role.AGENT, "agent-2", Duration.ZERO)) {
      assertThat(t.identity()).isEqualTo(new Identity("agent-2", Set.of(Role.AGENT)));
    }
    try (Transport t = TransportSettings.plaintext().openAs(Role.AGENT, "agent-2", Duration.ZERO)) {
      assertThat(t.secure()).isFalse();
    }
  }
}
