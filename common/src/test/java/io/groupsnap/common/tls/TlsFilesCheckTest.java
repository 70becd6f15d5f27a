package io.groupsnap.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way the three PEM files can be unusable, each refused at load with one line naming the file. */
class TlsFilesCheckTest {
  @TempDir Path dir;
  Pki pki;
  TlsFiles good;

  @BeforeEach
  void setUp() throws Exception {
    pki = new Pki(dir);
    good = pki.issue("agent-1", Set.of(Role.AGENT), "127.0.0.1");
  }

  String refusal(TlsFiles files) {
    TlsException e = catchThrowableOfType(TlsException.class, () -> Transport.tls(files, Duration.ZERO).close());
    assertThat(e).as("refused").isNotNull();
    assertThat(e.getMessage()).doesNotContain("\n");
    return e.getMessage();
  }

  @Test
  void goodFiles_load() throws Exception {
    try (Transport t = Transport.tls(good, Duration.ZERO)) {
      assertThat(t.identity()).isEqualTo(new Identity("agent-1", Set.of(Role.AGENT)));
    }
  }

  @Test
  void aMissingFile_isNamed() {
    Path none = dir.resolve("none.pem");
    assertThat(refusal(new TlsFiles(none, good.cert(), good.key()))).isEqualTo("ca file " + none + " does not exist");
    assertThat(refusal(new TlsFiles(good.ca(), none, good.key()))).isEqualTo("cert file " + none + " does not exist");
    assertThat(refusal(new TlsFiles(good.ca(), good.cert(), none))).isEqualTo("key file " + none + " does not exist");
  }

  @Test
  void aDirectory_isNotAFile() {
    assertThat(refusal(new TlsFiles(good.ca(), dir, good.key()))).isEqualTo("cert file " + dir
        + " is a directory, not a PEM file");
  }

  @Test
  void anUnreadableFile_isNamed() throws Exception {
    assumeFalse("root".equals(System.getProperty("user.name")), "root reads every file");
    Files.setPosixFilePermissions(good.cert(), PosixFilePermissions.fromString("-w-------"));
    assertThat(refusal(good)).isEqualTo("cert file " + good.cert() + " is not readable (permission denied)");
  }

  @Test
  void aKeyFileOthersMayRead_isRefused_asSshDoes() throws Exception {
    Files.setPosixFilePermissions(good.key(), PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(refusal(good)).isEqualTo("key file " + good.key() + " is readable by others (mode 0644); chmod 600 "
        + good.key());
    Files.setPosixFilePermissions(good.key(), PosixFilePermissions.fromString("rw-rw----"));
    assertThat(refusal(good)).isEqualTo("key file " + good.key() + " is readable by others (mode 0660); chmod 600 "
        + good.key());
    Files.setPosixFilePermissions(good.key(), PosixFilePermissions.fromString("rw-----w-"));
    assertThat(refusal(good)).isEqualTo("key file " + good.key() + " is writable by others (mode 0602); chmod 600 "
        + good.key());
  }

  @Test
  void aFileThatIsNotPem_isSaidSo() throws Exception {
    Files.writeString(good.cert(), "just some text\n");
    assertThat(refusal(good)).isEqualTo("cert file " + good.cert() + " is not PEM (no '-----BEGIN' line)");
  }

  @Test
  void aCertFileWithoutACertificate_saysWhatItHolds() throws Exception {
    Files.copy(good.key(), good.cert(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(refusal(good)).isEqualTo("cert file " + good.cert() + " holds no certificate (it holds PRIVATE KEY)");
  }

  @Test
  void aKeyFileWithoutAKey_saysWhatItHolds() throws Exception {
    Files.copy(good.cert(), good.key(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(good.key(), PosixFilePermissions.fromString("rw-------"));
    assertThat(refusal(good)).isEqualTo("key file " + good.key() + " holds no private key (it holds CERTIFICATE)");
  }

  @Test
  void aTraditionalEcKey_isRefused_sayingHowToConvertIt() throws Exception {
    PrivateKey key = Pem.privateKey("key file", good.key(), Files.readAllBytes(good.key()));
    byte[] sec1 = PrivateKeyInfo.getInstance(key.getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded();
    writePem(good.key(), "EC PRIVATE KEY", sec1);
    assertThat(refusal(good)).isEqualTo("key file " + good.key() + " holds a EC PRIVATE KEY (not PKCS#8 'PRIVATE "
        + "KEY'); convert it with: openssl pkey -in " + good.key() + " -out " + good.key() + ".pk8 (then move it "
        + "over)");
  }

  @Test
  void anEncryptedKey_isRefused_sayingHowToConvertIt() throws Exception {
    writePem(good.key(), "ENCRYPTED PRIVATE KEY", new byte[] {48, 0});
    assertThat(refusal(good)).startsWith("key file " + good.key() + " holds an encrypted key; groupsnap needs it "
        + "unencrypted (PKCS#8); convert it with: openssl pkey");
  }

  @Test
  void aPkcs8BlockThatIsNotAKey_isSaidSo() throws Exception {
    writePem(good.key(), "PRIVATE KEY", new byte[] {48, 3, 2, 1, 0});
    assertThat(refusal(good)).startsWith("key file " + good.key() + " holds a PRIVATE KEY block that is not a "
        + "readable PKCS#8 key: ");
  }

  @Test
  void aKeyOfAnotherCertificate_isRefused() throws Exception {
    TlsFiles other = pki.issue("agent-2", Set.of(Role.AGENT));
    assertThat(refusal(new TlsFiles(good.ca(), good.cert(), other.key()))).isEqualTo("key file " + other.key()
        + " does not match the certificate in " + good.cert() + " (CN=agent-1,O=groupsnap:agent)");
  }

  @Test
  void anExpiredCertificate_isRefused_withItsDates() throws Exception {
    TlsFiles old = pki.expired("agent-1", Set.of(Role.AGENT));
    assertThat(refusal(old)).matches("cert file " + java.util.regex.Pattern.quote(old.cert().toString())
        + ": the certificate CN=agent-1,O=groupsnap:agent expired on \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ "
        + "\\(valid from \\S+Z to \\S+Z\\)");
  }

  @Test
  void aCertificateNotYetValid_isRefused_withItsDates() throws Exception {
    Instant from = Instant.parse("2099-01-01T00:00:00Z");
    TlsFiles early = pki.issue(new CertAuthority.Leaf("agent-1", Set.of(Role.AGENT), List.of(), from,
        from.plus(Duration.ofDays(1))));
    assertThat(refusal(early)).isEqualTo("cert file " + early.cert() + ": the certificate CN=agent-1,O=groupsnap:"
        + "agent is not valid until 2099-01-01T00:00:00Z (valid from 2099-01-01T00:00:00Z to 2099-01-02T00:00:00Z)");
  }

  @Test
  void aCertificateOfAnotherCa_isRefused_namingBoth(@TempDir Path elsewhere) throws Exception {
    Pki other = new Pki(elsewhere);
    TlsFiles foreign = other.issue("agent-1", Set.of(Role.AGENT));
    String otherCa = other.ca.certificate().getSubjectX500Principal().getName();
    String ourCa = pki.ca.certificate().getSubjectX500Principal().getName();
    assertThat(refusal(new TlsFiles(good.ca(), foreign.cert(), foreign.key()))).isEqualTo("cert file "
        + foreign.cert() + ": the certificate CN=agent-1,O=groupsnap:agent is signed by " + otherCa
        + ", not by the CA " + ourCa + " in " + good.ca());
  }

  @Test
  void aCaFileWithoutACa_isRefused() {
    assertThat(refusal(new TlsFiles(good.cert(), good.cert(), good.key()))).isEqualTo("ca file " + good.cert()
        + " holds no CA certificate (CN=agent-1,O=groupsnap:agent is not a certificate authority)");
  }

  @Test
  void anExpiredCa_isRefused(@TempDir Path elsewhere) throws Exception {
    Instant now = Instant.now();
    CertAuthority old = CertAuthority.create("old CA", now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)));
    old.write(elsewhere.resolve("ca.pem"), elsewhere.resolve("ca.key"));
    TlsFiles f = new TlsFiles(elsewhere.resolve("ca.pem"), elsewhere.resolve("a.pem"), elsewhere.resolve("a.key"));
    old.issue(new CertAuthority.Leaf("a", Set.of(), List.of(), now.minus(Duration.ofDays(9)),
        now.minus(Duration.ofDays(2)))).write(f.cert(), f.key());
    assertThat(refusal(f)).startsWith("ca file " + f.ca() + ": the CA certificate CN=old CA expired on ");
  }

  private static void writePem(Path file, String type, byte[] content) throws Exception {
    try (PemWriter w = new PemWriter(Files.newBufferedWriter(file))) {
      w.writeObject(new PemObject(type, content));
    }
  }
}
