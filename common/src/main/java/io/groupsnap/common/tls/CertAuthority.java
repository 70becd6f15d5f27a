package io.groupsnap.common.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for a dev or small cluster ({@code groupsnap certs init}): EC P-256 keys, a
 * self-signed CA certificate, and leaf certificates that name a groupsnap identity — {@code CN=<name>} and one
 * {@code O=groupsnap:<role>} per role ({@link Identity#of}) — valid for server and client use on the DNS names and
 * IP addresses given. Production clusters may use any CA; this one exists so that TLS is on from the first run.
 */
public final class CertAuthority {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String SIGNATURE = "SHA256withECDSA";

  private final X509Certificate certificate;
  private final PrivateKey key;

  private CertAuthority(X509Certificate certificate, PrivateKey key) {
    this.certificate = certificate;
    this.key = key;
  }

  /** What a leaf certificate says and for how long. Names are SAN strings: DNS names or IP literals. */
  public record Leaf(String name, Set<Role> roles, List<String> subjectAltNames, Instant notBefore,
      Instant notAfter) {
    public Leaf {
      Objects.requireNonNull(name, "name");
      roles = Set.copyOf(roles);
      subjectAltNames = List.copyOf(subjectAltNames);
      subjectAltNames.forEach(SubjectNames::require);
      if (!notAfter.isAfter(notBefore)) {
        throw new IllegalArgumentException("a certificate must end after it starts");
      }
    }

    /** Valid from now for {@code validity}. */
    public static Leaf valid(String name, Set<Role> roles, List<String> subjectAltNames, Duration validity) {
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      return new Leaf(name, roles, subjectAltNames, now.minus(Duration.ofMinutes(5)), now.plus(validity));
    }
  }

  /** A certificate and its private key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {
    /** Writes the certificate (0644) and the PKCS#8 key (0600 from the start), each replaced atomically. */
    public void write(Path certFile, Path keyFile) throws IOException {
      Pem.writePrivateKey(keyFile, key);
      Pem.writeCertificates(certFile, List.of(certificate));
    }

    /** The identity the certificate names. */
    public Identity identity() {
      return Identity.of(certificate);
    }
  }

  /** A new authority named {@code CN=<commonName>}, valid from now for {@code validity}. */
  public static CertAuthority create(String commonName, Duration validity) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    return create(commonName, now.minus(Duration.ofMinutes(5)), now.plus(validity));
  }

  /** A new authority valid from {@code notBefore} to {@code notAfter}. */
  public static CertAuthority create(String commonName, Instant notBefore, Instant notAfter) {
    KeyPair pair = newKeyPair();
    X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(notBefore),
          Date.from(notAfter), name, pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new CertAuthority(sign(b, pair.getPrivate()), pair.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot create a CA certificate: " + e.getMessage(), e);
    }
  }

  /** A common name for a new authority that tells it from others: {@code groupsnap CA 3f9a1c0e}. */
  public static String newName() {
    byte[] b = new byte[4];
    RANDOM.nextBytes(b);
    return "groupsnap CA " + HexFormat.of().formatHex(b);
  }

  /**
   * The authority whose certificate and key are in these PEM files, checked: the key private to its owner and
   * matching, the certificate a CA.
   */
  public static CertAuthority load(Path certFile, Path keyFile) throws TlsException {
    List<X509Certificate> certs = Pem.readCertificates("CA certificate file", certFile);
    X509Certificate cert = certs.get(0);
    if (cert.getBasicConstraints() < 0) {
      throw new TlsException("CA certificate file " + certFile + " holds " + Chains.subject(cert)
          + ", which is not a certificate authority");
    }
    byte[] pem = Pem.read("CA key file", keyFile);
    Pem.requirePrivate("CA key file", keyFile);
    PrivateKey key = Pem.privateKey("CA key file", keyFile, pem);
    if (!TlsMaterial.matches(key, cert.getPublicKey())) {
      throw new TlsException("CA key file " + keyFile + " does not match the certificate in " + certFile);
    }
    return new CertAuthority(cert, key);
  }

  /** The authority's certificate, the one a {@link TlsFiles#ca()} file holds. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** Writes the authority's certificate (0644) and key (0600 from the start). */
  public void write(Path certFile, Path keyFile) throws IOException {
    new Issued(certificate, key).write(certFile, keyFile);
  }

  /** A new key pair and a certificate for it, signed by this authority. */
  public Issued issue(Leaf leaf) {
    KeyPair pair = newKeyPair();
    X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
    for (Role r : leaf.roles().stream().sorted().toList()) {
      subject.addRDN(BCStyle.O, r.organisation());
    }
    subject.addRDN(BCStyle.CN, leaf.name());
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
          X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), serial(),
          Date.from(leaf.notBefore()), Date.from(leaf.notAfter()), subject.build(), pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
      if (!leaf.subjectAltNames().isEmpty()) {
        b.addExtension(Extension.subjectAlternativeName, false, sans(leaf.subjectAltNames()));
      }
      return new Issued(sign(b, key), pair.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue a certificate for " + leaf.name() + ": " + e.getMessage(), e);
    }
  }

  private static GeneralNames sans(List<String> names) {
    List<GeneralName> out = new ArrayList<>();
    for (String n : names) {
      out.add(SubjectNames.isIp(n) ? new GeneralName(GeneralName.iPAddress, SubjectNames.format(SubjectNames.address(n)))
          : new GeneralName(GeneralName.dNSName, n));
    }
    return new GeneralNames(out.toArray(GeneralName[]::new));
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(b.build(
          new JcaContentSignerBuilder(signatureFor(signer)).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  private static String signatureFor(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "EC" -> SIGNATURE;
      case "RSA" -> "SHA256withRSA";
      default -> key.getAlgorithm();
    };
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
    }
  }

  /** A positive random serial of 127 bits (RFC 5280: unique per CA, at most 20 octets). */
  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).setBit(126);
  }
}
