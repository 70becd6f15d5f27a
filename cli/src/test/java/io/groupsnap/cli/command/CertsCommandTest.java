package io.groupsnap.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.cli.command.StandInCoordinator.Result;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.tls.Identity;
import io.groupsnap.common.tls.Pem;
import io.groupsnap.common.tls.Role;
import io.groupsnap.common.tls.SubjectNames;
import io.groupsnap.common.tls.TlsFiles;
import io.groupsnap.common.tls.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code groupsnap certs init|show}: the files a cluster's mutual TLS needs, made once, checked before written. */
class CertsCommandTest {
  @TempDir Path tmp;

  Path dir() {
    return tmp.resolve("certs");
  }

  Result init(String... more) {
    return StandInCoordinator.runCli(Stream.concat(Stream.of("certs", "init", "--dir", dir().toString()),
        Stream.of(more)).toArray(String[]::new));
  }

  X509Certificate cert(String name) throws Exception {
    return Pem.readCertificates("cert file", dir().resolve(name + ".pem")).get(0);
  }

  @Test
  void init_makesACa_andACertificatePerName_thatTheTransportAccepts() throws Exception {
    Result r = init("--coordinator", "coord-1=coord-1.example.org,10.0.0.5", "--agent", "agent-1",
        "--client", "alice=operator", "--client", "root=admin", "--days", "30");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.err()).isEmpty();
    assertThat(r.out().lines()).hasSize(5).allMatch(l -> l.startsWith("wrote " + dir()));
    assertThat(r.out()).contains("coord-1 (coordinator), for localhost, 127.0.0.1, ::1, coord-1.example.org, "
        + "10.0.0.5, valid until ");
    try (Stream<Path> files = Files.list(dir())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ca.pem", "ca.key",
          "coord-1.pem", "coord-1.key", "agent-1.pem", "agent-1.key", "alice.pem", "alice.key", "root.pem",
          "root.key");
    }
    for (String key : List.of("ca", "coord-1", "agent-1", "alice", "root")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir().resolve(key + ".key"))))
          .as(key).isEqualTo("rw-------");
    }
    assertThat(Identity.of(cert("coord-1"))).isEqualTo(new Identity("coord-1", Set.of(Role.COORDINATOR)));
    assertThat(Identity.of(cert("agent-1"))).isEqualTo(new Identity("agent-1", Set.of(Role.AGENT)));
    assertThat(Identity.of(cert("alice"))).isEqualTo(new Identity("alice", Set.of(Role.OPERATOR)));
    assertThat(Identity.of(cert("root"))).isEqualTo(new Identity("root", Set.of(Role.ADMIN)));
    assertThat(SubjectNames.of(cert("agent-1"))).containsExactly("localhost", "127.0.0.1", "::1");
    assertThat(SubjectNames.of(cert("alice"))).isEmpty();
    assertThat(cert("agent-1").getNotAfter().toInstant()).isBefore(java.time.Instant.now().plus(Duration.ofDays(31)));

    for (String name : List.of("coord-1", "agent-1", "alice")) {
      TlsFiles files = new TlsFiles(dir().resolve("ca.pem"), dir().resolve(name + ".pem"),
          dir().resolve(name + ".key"));
      try (Transport t = Transport.tls(files, Duration.ZERO)) {
        assertThat(t.identity().name()).isEqualTo(name);
      }
    }
  }

  @Test
  void init_again_keepsWhatIsThere_reusesTheCa_andForceReplacesOnlyTheNamesGiven() throws Exception {
    assertThat(init("--agent", "agent-1", "--client", "bob=viewer").exit()).isEqualTo(ExitCodes.OK);
    byte[] ca = Files.readAllBytes(dir().resolve("ca.pem"));
    byte[] agent = Files.readAllBytes(dir().resolve("agent-1.pem"));
    byte[] bob = Files.readAllBytes(dir().resolve("bob.pem"));

    Result again = init("--agent", "agent-1", "--agent", "agent-2");
    assertThat(again.exit()).isEqualTo(ExitCodes.OK);
    assertThat(again.out()).contains("kept  " + dir().resolve("ca.pem")).contains("kept  "
        + dir().resolve("agent-1.pem") + ": exists (--force replaces it)").contains("wrote "
        + dir().resolve("agent-2.pem"));
    assertThat(Files.readAllBytes(dir().resolve("ca.pem"))).isEqualTo(ca);
    assertThat(Files.readAllBytes(dir().resolve("agent-1.pem"))).isEqualTo(agent);
    cert("agent-2").verify(cert("ca").getPublicKey());

    Result forced = init("--agent", "agent-1", "--force");
    assertThat(forced.exit()).isEqualTo(ExitCodes.OK);
    assertThat(Files.readAllBytes(dir().resolve("agent-1.pem"))).isNotEqualTo(agent);
    assertThat(Files.readAllBytes(dir().resolve("ca.pem"))).as("--force never replaces the CA").isEqualTo(ca);
    assertThat(Files.readAllBytes(dir().resolve("bob.pem"))).isEqualTo(bob);
    cert("agent-1").verify(cert("ca").getPublicKey());
  }

  @Test
  void badInput_exitsTwo_withOneLine_andWritesNothing() {
    List<List<String>> bad = List.of(
        List.of("--client", "alice=superuser"),
        List.of("--client", "alice=agent"),
        List.of("--client", "alice"),
        List.of("--agent", "../etc"),
        List.of("--agent", "ca"),
        List.of("--coordinator", "coord-1=bad_name"),
        List.of("--coordinator", "coord-1=10.0.0.1,"),
        List.of("--agent", "a", "--client", "a=viewer"),
        List.of("--days", "0"));
    for (List<String> args : bad) {
      Result r = init(args.toArray(String[]::new));
      assertThat(r.exit()).as(args.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).as(args.toString()).startsWith("groupsnap: ").hasLineCount(1);
      assertThat(Files.exists(dir())).as(args + " wrote nothing").isFalse();
    }
    assertThat(init("--client", "alice=superuser").err()).isEqualTo("groupsnap: --client alice=superuser: unknown "
        + "role 'superuser' (viewer, operator or admin)\n");
    assertThat(init("--coordinator", "coord-1=bad_name").err()).isEqualTo("groupsnap: --coordinator "
        + "coord-1=bad_name: 'bad_name' is neither an IP address nor a DNS name (dot-separated labels of letters, "
        + "digits and '-', each at most 63)\n");
    assertThat(init("--agent", "../etc").err()).startsWith("groupsnap: --agent ../etc: name '../etc' is not a valid "
        + "name");
  }

  @Test
  void aCaWithoutItsKey_isRefused_notReplaced() throws Exception {
    assertThat(init().exit()).isEqualTo(ExitCodes.OK);
    Files.delete(dir().resolve("ca.key"));
    Result r = init("--agent", "agent-1");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).startsWith("groupsnap: " + dir().resolve("ca.pem") + " exists without "
        + dir().resolve("ca.key"));
    assertThat(Files.exists(dir().resolve("agent-1.pem"))).isFalse();
  }

  @Test
  void show_printsTheIdentityNamesAndValidity() throws Exception {
    assertThat(init("--coordinator", "coord-1=10.1.2.3").exit()).isEqualTo(ExitCodes.OK);
    Result r = StandInCoordinator.runCli("certs", "show", dir().resolve("coord-1.pem").toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).contains("subject:  CN=coord-1,O=groupsnap:coordinator\n")
        .contains("identity: coord-1 (coordinator)\n")
        .contains("names:    localhost, 127.0.0.1, ::1, 10.1.2.3\n")
        .contains("issuer:   " + cert("ca").getSubjectX500Principal().getName() + "\n")
        .containsPattern("valid:    \\S+ to \\S+ \\(valid, 36[45] days left\\)");
    Result missing = StandInCoordinator.runCli("certs", "show", tmp.resolve("nope.pem").toString());
    assertThat(missing.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err()).isEqualTo("groupsnap: certificate file " + tmp.resolve("nope.pem")
        + " does not exist\n");
  }
}
