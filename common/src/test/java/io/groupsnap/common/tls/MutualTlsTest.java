package io.groupsnap.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.groupsnap.common.tls.TlsPeers.Client;
import io.groupsnap.common.tls.TlsPeers.TestServer;
import io.grpc.ChannelCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextServerCredentials;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS over real sockets: who gets in, who is refused, and the line an operator reads when refused. */
class MutualTlsTest {
  @TempDir Path dir;
  @TempDir Path otherDir;
  Pki pki;
  Transport server;
  Transport client;
  TestServer running;

  @BeforeEach
  void setUp() throws Exception {
    pki = new Pki(dir);
    server = Transport.tls(pki.issue("coord-1", Set.of(Role.COORDINATOR), "localhost", "127.0.0.1", "::1"),
        Duration.ZERO);
    client = Transport.tls(pki.issue("alice", Set.of(Role.OPERATOR)), Duration.ZERO);
    running = new TestServer(server);
  }

  @AfterEach
  void tearDown() throws Exception {
    running.close();
    server.close();
    client.close();
  }

  String local() {
    return "127.0.0.1:" + running.port();
  }

  @Test
  void aClientOfTheCa_getsIn_andTheServerSeesItsIdentity_overTls13() throws Exception {
    try (Client c = new Client(local(), client.channelCredentials(PeerCheck.role(Role.COORDINATOR)))) {
      assertThat(c.check()).isEqualTo(ServingStatus.SERVING);
      assertThat(c.session.get().getProtocol()).isEqualTo("TLSv1.3");
    }
    assertThat(running.callers).containsExactly(new Identity("alice", Set.of(Role.OPERATOR)));
    assertThat(server.secure()).isTrue();
    assertThat(server.identity()).isEqualTo(new Identity("coord-1", Set.of(Role.COORDINATOR)));
  }

  @Test
  void theHostDialled_mayBeAnyNameTheServerCertificateNames() throws Exception {
    for (String host : List.of("localhost", "127.0.0.1")) {
      assertThat(TlsPeers.checkOnce(host + ":" + running.port(), client.channelCredentials(PeerCheck.ANY)))
          .as(host).isEqualTo(ServingStatus.SERVING);
    }
  }

  @Test
  void aClientWithoutACertificate_isRefused() throws Exception {
    ChannelCredentials none = NettySslContextChannelCredentials.create(GrpcSslContexts.configure(
        SslContextBuilder.forClient(), SslProvider.JDK).trustManager(pki.caFile().toFile()).protocols("TLSv1.3")
        .build());
    StatusRuntimeException e = refused(local(), none);
    assertThat(TlsFailures.describe(e)).isEqualTo("the server refused our certificate (bad_certificate): we "
        + "presented none, or none signed by a CA it trusts");
  }

  @Test
  void aClientOfTls12_isRefused() throws Exception {
    TlsFiles bob = pki.issue("bob", Set.of(Role.VIEWER));
    ChannelCredentials tls12 = NettySslContextChannelCredentials.create(GrpcSslContexts.configure(
        SslContextBuilder.forClient(), SslProvider.JDK).keyManager(bob.cert().toFile(), bob.key().toFile())
        .trustManager(pki.caFile().toFile()).protocols("TLSv1.2").build());
    StatusRuntimeException e = refused(local(), tls12);
    assertThat(TlsFailures.describe(e)).isEqualTo("the server does not speak TLS 1.3 (protocol_version)");
  }

  @Test
  void aClientCertificateFromAnotherCa_isRefused() throws Exception {
    Pki other = new Pki(otherDir);
    TlsFiles mallory = other.issue("mallory", Set.of(Role.ADMIN));
    StatusRuntimeException e = refused(local(), raw(mallory.cert(), mallory.key()));
    assertThat(TlsFailures.describe(e)).startsWith("the server refused our certificate (bad_certificate)");
    // a client of ours presents its certificate whatever CAs the server names: refused all the same
    TlsFiles both = new TlsFiles(dir.resolve("both-cas.pem"), mallory.cert(), mallory.key());
    Files.writeString(both.ca(), Files.readString(pki.caFile()) + Files.readString(other.caFile()));
    try (Transport t = Transport.tls(both, Duration.ZERO)) {
      StatusRuntimeException ours = refused(local(), t.channelCredentials(PeerCheck.ANY));
      assertThat(TlsFailures.describe(ours)).startsWith("the server refused our certificate (certificate_unknown)");
    }
  }

  @Test
  void anExpiredClientCertificate_isRefused() throws Exception {
    TlsFiles old = pki.expired("old-admin", Set.of(Role.ADMIN));
    StatusRuntimeException e = refused(local(), raw(old.cert(), old.key()));
    assertThat(TlsFailures.describe(e)).isEqualTo("the server refused our certificate (certificate_unknown): is it "
        + "signed by the CA the server trusts, valid now, and for client use?");
  }

  @Test
  void aServerCertificateForAnotherName_isRefusedByTheClient_sayingWhichNames() throws Exception {
    try (Transport elsewhere = Transport.tls(pki.issue("coord-2", Set.of(Role.COORDINATOR), "coord-2.example",
        "10.9.9.9"), Duration.ZERO); TestServer s = new TestServer(elsewhere)) {
      StatusRuntimeException e = refused("127.0.0.1:" + s.port(), client.channelCredentials(PeerCheck.ANY));
      assertThat(TlsFailures.describe(e)).isEqualTo("the server's certificate CN=coord-2,O=groupsnap:coordinator is "
          + "not valid for '127.0.0.1', the name dialled (it names coord-2.example, 10.9.9.9)");
      StatusRuntimeException byName = refused("localhost:" + s.port(), client.channelCredentials(PeerCheck.ANY));
      assertThat(TlsFailures.describe(byName)).contains("is not valid for 'localhost', the name dialled");
      assertThat(s.callers).isEmpty();
    }
  }

  @Test
  void aServerOfAnotherCa_isRefusedByTheClient_namingBothAuthorities() throws Exception {
    Pki other = new Pki(otherDir);
    try (Transport impostor = Transport.tls(other.issue("coord-1", Set.of(Role.COORDINATOR), "127.0.0.1"),
        Duration.ZERO); TestServer s = new TestServer(impostor)) {
      StatusRuntimeException e = refused("127.0.0.1:" + s.port(), client.channelCredentials(PeerCheck.ANY));
      assertThat(TlsFailures.describe(e)).isEqualTo("the server's certificate CN=coord-1,O=groupsnap:coordinator is "
          + "signed by " + other.ca.certificate().getSubjectX500Principal().getName() + ", not by the CA "
          + pki.ca.certificate().getSubjectX500Principal().getName());
    }
  }

  @Test
  void anExpiredServerCertificate_isRefusedByTheClient_withTheDates() throws Exception {
    TlsFiles old = pki.expired("coord-old", Set.of(Role.COORDINATOR), "127.0.0.1");
    try (TestServer s = new TestServer(NettySslContextServerCredentials.create(GrpcSslContexts.configure(
        SslContextBuilder.forServer(old.cert().toFile(), old.key().toFile()), SslProvider.JDK)
        .trustManager(pki.caFile().toFile()).clientAuth(ClientAuth.REQUIRE).build()), server.callers())) {
      StatusRuntimeException e = refused("127.0.0.1:" + s.port(), client.channelCredentials(PeerCheck.ANY));
      assertThat(TlsFailures.describe(e)).matches("the server's certificate CN=coord-old,O=groupsnap:coordinator "
          + "expired on \\S+Z \\(valid from \\S+Z to \\S+Z\\)");
    }
  }

  @Test
  void aServerThePeerCheckRefuses_isRefused_withThePeerChecksWords() throws Exception {
    try (Transport agent = Transport.tls(pki.issue("agent-1", Set.of(Role.AGENT), "127.0.0.1"), Duration.ZERO);
        TestServer s = new TestServer(agent)) {
      String target = "127.0.0.1:" + s.port();
      StatusRuntimeException e = refused(target, client.channelCredentials(PeerCheck.role(Role.COORDINATOR)));
      assertThat(TlsFailures.describe(e)).isEqualTo("the server's certificate agent-1 (agent) lacks the coordinator "
          + "role");
      StatusRuntimeException other = refused(target, client.channelCredentials(PeerCheck.identity("agent-2",
          Role.AGENT)));
      assertThat(TlsFailures.describe(other)).isEqualTo("the server presented the certificate of 'agent-1', not of "
          + "'agent-2'");
      assertThat(s.callers).isEmpty();
      assertThat(TlsPeers.checkOnce(target, client.channelCredentials(PeerCheck.identity("agent-1", Role.AGENT))))
          .isEqualTo(ServingStatus.SERVING);
    }
  }

  @Test
  void aPlaintextServer_isNamedSo_andAFailureThatIsNotTls_isNotDescribed() throws Exception {
    try (TestServer plain = new TestServer(Transport.insecure())) {
      StatusRuntimeException e = refused("127.0.0.1:" + plain.port(), client.channelCredentials(PeerCheck.ANY));
      assertThat(TlsFailures.describe(e)).isEqualTo("the server does not speak TLS (is it running insecure?)");
    }
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    StatusRuntimeException e = refused("127.0.0.1:" + closed, client.channelCredentials(PeerCheck.ANY));
    assertThat(TlsFailures.describe(e)).isNull();
  }

  private StatusRuntimeException refused(String target, ChannelCredentials credentials) throws Exception {
    int before = running.callers.size();
    StatusRuntimeException e;
    try (Client c = new Client(target, credentials)) {
      e = catchThrowableOfType(StatusRuntimeException.class, c::check);
    }
    assertThat(e).as("refused").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(running.callers).as("no call reached the service").hasSize(before);
    return e;
  }

  private ChannelCredentials raw(Path cert, Path key) throws IOException {
    assertThat(Files.exists(cert)).isTrue();
    return NettySslContextChannelCredentials.create(GrpcSslContexts.configure(
        SslContextBuilder.forClient(), SslProvider.JDK).keyManager(cert.toFile(), key.toFile())
        .trustManager(pki.caFile().toFile()).protocols("TLSv1.3").build());
  }
}
