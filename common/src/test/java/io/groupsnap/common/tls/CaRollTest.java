package io.groupsnap.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.groupsnap.common.tls.TlsPeers.Client;
import io.groupsnap.common.tls.TlsPeers.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replacing the certificate authority of a running cluster without a restart, in the three steps a ca file holding
 * several certificates allows: every host trusts the old and the new authority (a bundle), then every host gets a
 * certificate of the new one, then the old one is dropped. Hosts at different steps keep talking throughout.
 */
class CaRollTest {
  @TempDir Path dir;

  CertAuthority.Leaf server() {
    return CertAuthority.Leaf.valid("coord-1", Set.of(Role.COORDINATOR), List.of("127.0.0.1"), Duration.ofDays(1));
  }

  CertAuthority.Leaf client() {
    return CertAuthority.Leaf.valid("alice", Set.of(Role.OPERATOR), List.of(), Duration.ofDays(1));
  }

  /** A client that reads its files now (a CLI run), to the server at {@code target}. */
  static ServingStatus checkAs(TlsFiles files, String target) throws Exception {
    try (Transport t = Transport.tls(files, Duration.ZERO);
        Client c = new Client(target, t.channelCredentials(PeerCheck.role(Role.COORDINATOR)))) {
      return c.check();
    }
  }

  static Status.Code refusedAs(TlsFiles files, String target) throws Exception {
    try (Transport t = Transport.tls(files, Duration.ZERO);
        Client c = new Client(target, t.channelCredentials(PeerCheck.ANY))) {
      return catchThrowableOfType(StatusRuntimeException.class, c::check).getStatus().getCode();
    }
  }

  @Test
  void aBundleOfOldAndNewAuthority_letsARollingCaChangeGoThrough_andDroppingTheOldOneEndsIt() throws Exception {
    Pki old = new Pki(java.nio.file.Files.createDirectories(dir.resolve("old")));
    CertAuthority next = CertAuthority.create(CertAuthority.newName(), Duration.ofDays(30));
    Path serverCa = dir.resolve("server-ca.pem");
    Path stragglerCa = dir.resolve("straggler-ca.pem");
    Pem.writeCertificates(serverCa, List.of(old.ca.certificate()));
    TlsFiles serverFiles = new TlsFiles(serverCa, dir.resolve("server.pem"), dir.resolve("server.key"));
    old.ca.issue(server()).write(serverFiles.cert(), serverFiles.key());
    try (MutualTls server = (MutualTls) Transport.tls(serverFiles, Duration.ZERO);
        TestServer s = new TestServer(server)) {
      String target = "127.0.0.1:" + s.port();
      // a host that already has a certificate of the new authority, trusting both
      Path bundle = dir.resolve("bundle.pem");
      Pem.writeCertificates(bundle, List.of(old.ca.certificate(), next.certificate()));
      TlsFiles early = new TlsFiles(bundle, dir.resolve("early.pem"), dir.resolve("early.key"));
      next.issue(client()).write(early.cert(), early.key());
      // a host that is still on the old authority alone
      Pem.writeCertificates(stragglerCa, List.of(old.ca.certificate()));
      TlsFiles straggler = new TlsFiles(stragglerCa, dir.resolve("straggler.pem"), dir.resolve("straggler.key"));
      old.ca.issue(client()).write(straggler.cert(), straggler.key());
      assertThat(refusedAs(early, target)).as("before the bundle").isEqualTo(Status.Code.UNAVAILABLE);

      // step 1: the server trusts both authorities
      Pem.writeCertificates(serverCa, List.of(old.ca.certificate(), next.certificate()));
      assertThat(server.reloadNow()).isEqualTo(Reloading.Outcome.RELOADED);
      assertThat(checkAs(early, target)).isEqualTo(ServingStatus.SERVING);
      assertThat(checkAs(straggler, target)).isEqualTo(ServingStatus.SERVING);

      // step 2: the server's certificate is of the new authority; a host trusting only the old one cannot follow
      next.issue(server()).write(serverFiles.cert(), serverFiles.key());
      assertThat(server.reloadNow()).isEqualTo(Reloading.Outcome.RELOADED);
      assertThat(issuer(server.certificate())).isEqualTo(issuer(next.certificate()));
      assertThat(checkAs(early, target)).isEqualTo(ServingStatus.SERVING);
      assertThat(refusedAs(straggler, target)).as("a host that skipped step 1").isEqualTo(Status.Code.UNAVAILABLE);
      Pem.writeCertificates(stragglerCa, List.of(old.ca.certificate(), next.certificate())); // it catches up
      assertThat(checkAs(straggler, target)).as("an old-authority client with the bundle")
          .isEqualTo(ServingStatus.SERVING);

      // step 3: the old authority is dropped; its certificates are refused, the new ones keep working
      Pem.writeCertificates(serverCa, List.of(next.certificate()));
      assertThat(server.reloadNow()).isEqualTo(Reloading.Outcome.RELOADED);
      assertThat(checkAs(early, target)).isEqualTo(ServingStatus.SERVING);
      assertThat(refusedAs(straggler, target)).as("a certificate of the dropped authority")
          .isEqualTo(Status.Code.UNAVAILABLE);
    }
  }

  private static String issuer(X509Certificate c) {
    return c.getIssuerX500Principal().getName();
  }
}
