package io.groupsnap.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small CA: what its certificates say, how its files are written, and the identities they name. */
class CertAuthorityTest {
  @TempDir Path dir;

  @Test
  void aNewCa_isASelfSignedAuthority_thatSignsCertificates() throws Exception {
    CertAuthority ca = CertAuthority.create(CertAuthority.newName(), Duration.ofDays(3650));
    X509Certificate c = ca.certificate();
    assertThat(c.getSubjectX500Principal().getName()).matches("CN=groupsnap CA [0-9a-f]{8}");
    assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
    assertThat(c.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(c.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(c.getPublicKey().getAlgorithm()).isEqualTo("EC");
    c.verify(c.getPublicKey());
  }

  @Test
  void aLeaf_namesItsIdentity_rolesAndAddresses_forServerAndClientUse() throws Exception {
    CertAuthority ca = CertAuthority.create("test CA", Duration.ofDays(1));
    CertAuthority.Issued issued = ca.issue(CertAuthority.Leaf.valid("coord-1", Set.of(Role.COORDINATOR, Role.ADMIN),
        List.of("localhost", "coord-1.example.org", "127.0.0.1", "::1", "fd00:0:0::5"), Duration.ofDays(10)));
    X509Certificate c = issued.certificate();
    c.verify(ca.certificate().getPublicKey());
    assertThat(c.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
    assertThat(issued.identity()).isEqualTo(new Identity("coord-1", Set.of(Role.COORDINATOR, Role.ADMIN)));
    assertThat(SubjectNames.of(c)).containsExactly("localhost", "coord-1.example.org", "127.0.0.1", "::1",
        "fd00::5");
    assertThat(c.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(c.getBasicConstraints()).isEqualTo(-1);
    assertThat(c.getSerialNumber().signum()).isPositive();
    assertThat(c.getNotAfter().toInstant()).isBetween(Instant.now().plus(Duration.ofDays(9)),
        Instant.now().plus(Duration.ofDays(11)));
    BigInteger other = ca.issue(CertAuthority.Leaf.valid("coord-1", Set.of(), List.of(), Duration.ofDays(1)))
        .certificate().getSerialNumber();
    assertThat(other).isNotEqualTo(c.getSerialNumber());
  }

  @Test
  void files_keyIs0600_certIs0644_andTheCaLoadsBack() throws Exception {
    CertAuthority ca = CertAuthority.create("test CA", Duration.ofDays(1));
    ca.write(dir.resolve("ca.pem"), dir.resolve("ca.key"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.pem"))))
        .isEqualTo("rw-r--r--");
    ca.write(dir.resolve("ca.pem"), dir.resolve("ca.key")); // replacing keeps the modes
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))))
        .isEqualTo("rw-------");
    try (var listing = Files.list(dir)) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ca.pem", "ca.key");
    }

    CertAuthority loaded = CertAuthority.load(dir.resolve("ca.pem"), dir.resolve("ca.key"));
    assertThat(loaded.certificate()).isEqualTo(ca.certificate());
    loaded.issue(CertAuthority.Leaf.valid("x", Set.of(), List.of(), Duration.ofDays(1))).certificate()
        .verify(ca.certificate().getPublicKey());
  }

  @Test
  void loading_refusesAKeyOthersMayRead_aLeafForACa_andAKeyOfAnotherCa() throws Exception {
    CertAuthority ca = CertAuthority.create("test CA", Duration.ofDays(1));
    Path cert = dir.resolve("ca.pem");
    Path key = dir.resolve("ca.key");
    ca.write(cert, key);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));
    assertThatThrownBy(() -> CertAuthority.load(cert, key)).isInstanceOf(TlsException.class)
        .hasMessage("CA key file " + key + " is readable by others (mode 0640); chmod 600 " + key);

    ca.issue(CertAuthority.Leaf.valid("leaf", Set.of(), List.of(), Duration.ofDays(1)))
        .write(dir.resolve("leaf.pem"), dir.resolve("leaf.key"));
    assertThatThrownBy(() -> CertAuthority.load(dir.resolve("leaf.pem"), dir.resolve("leaf.key")))
        .hasMessage("CA certificate file " + dir.resolve("leaf.pem") + " holds CN=leaf, which is not a certificate "
            + "authority");

    CertAuthority.create("other CA", Duration.ofDays(1)).write(dir.resolve("o.pem"), dir.resolve("o.key"));
    assertThatThrownBy(() -> CertAuthority.load(cert, dir.resolve("o.key")))
        .hasMessage("CA key file " + dir.resolve("o.key") + " does not match the certificate in " + cert);
  }

  @Test
  void identity_takesTheCommonName_andOnlyTheGroupsnapRolesItKnows() throws Exception {
    X509Certificate c = selfSigned("CN=bob,O=Acme Corp,O=groupsnap:viewer,O=groupsnap:superuser,O=groupsnap:admin");
    assertThat(Identity.of(c)).isEqualTo(new Identity("bob", Set.of(Role.VIEWER, Role.ADMIN)));
    assertThat(Identity.of(selfSigned("O=groupsnap:operator,OU=ops"))).isEqualTo(
        new Identity("OU=ops,O=groupsnap:operator", Set.of(Role.OPERATOR)));
  }

  @Test
  void subjectNames_areDnsNamesOrIpLiterals() {
    for (String ok : List.of("localhost", "coord-1.example.org", "10.0.0.5", "::1", "fe80::1", "a")) {
      assertThat(SubjectNames.require(ok)).isEqualTo(ok);
    }
    for (String bad : List.of("", "-x", "x-", "a..b", "a b", "x_y", "*.example.org", "host:80", "1.2.3.4/8",
        "a".repeat(64))) {
      assertThatThrownBy(() -> SubjectNames.require(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static X509Certificate selfSigned(String subject) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    KeyPair pair = g.generateKeyPair();
    X500Name name = new X500Name(subject);
    Instant now = Instant.now();
    return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
        Date.from(now), Date.from(now.plusSeconds(60)), name, pair.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
  }
}
