package io.groupsnap.common.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * One consistent, checked set of TLS material: this process's certificate chain and the key that matches it, the
 * certificate authorities it trusts and the JDK's PKIX trust manager over them. Immutable; {@link Reloading} swaps
 * whole sets.
 *
 * @param alias the name the key manager hands the JDK for this set (changes with every set, so that a handshake that
 *     straddles a reload still gets a chain and a key of the same set)
 * @param digest a hash of the three files' bytes, to notice a change
 */
record TlsMaterial(String alias, List<X509Certificate> chain, PrivateKey key, List<X509Certificate> authorities,
    X509ExtendedTrustManager pkix, byte[] digest) {

  /** The bytes of the three files, read once so that what is checked is what is hashed. */
  record Raw(TlsFiles files, byte[] ca, byte[] cert, byte[] key, byte[] digest) {
    static Raw read(TlsFiles files) throws TlsException {
      byte[] ca = Pem.read("ca file", files.ca());
      byte[] cert = Pem.read("cert file", files.cert());
      byte[] key = Pem.read("key file", files.key());
      Pem.requirePrivate("key file", files.key());
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(ca);
        sha.update((byte) 0);
        sha.update(cert);
        sha.update((byte) 0);
        sha.update(key);
        return new Raw(files, ca, cert, key, sha.digest());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("SHA-256 is missing from this JDK", e);
      }
    }
  }

  X509Certificate certificate() {
    return chain.get(0);
  }

  boolean sameFiles(Raw raw) {
    return Arrays.equals(digest, raw.digest());
  }

  /** Reads and checks the files as of {@code now}. */
  static TlsMaterial load(TlsFiles files, String alias, Instant now) throws TlsException {
    return check(Raw.read(files), alias, now);
  }

  /** How long a key that does not match its certificate is read again while the two files keep changing. */
  static final java.time.Duration ROTATION_SETTLE = java.time.Duration.ofSeconds(2);
  private static final long REREAD_PAUSE_MILLIS = 25;

  /**
   * As {@link #load}, for a process starting while the files may be being replaced (a rotation writes the certificate
   * and the key one after the other, so a reader in between sees a key that does not match): a mismatch is read again
   * while the files keep changing, for at most {@link #ROTATION_SETTLE}; files that stay the same and still do not
   * match are the error they say.
   */
  static TlsMaterial loadSettled(TlsFiles files, String alias, Instant now) throws TlsException {
    return loadSettled(files, alias, now, ROTATION_SETTLE);
  }

  static TlsMaterial loadSettled(TlsFiles files, String alias, Instant now, java.time.Duration settle)
      throws TlsException {
    long giveUp = System.nanoTime() + settle.toNanos();
    Raw raw = Raw.read(files);
    while (true) {
      try {
        return check(raw, alias, now);
      } catch (MismatchException e) {
        Raw again = reread(files);
        if (Arrays.equals(again.digest(), raw.digest())) {
          if (System.nanoTime() - giveUp >= 0) {
            throw e;
          }
          continue; // unchanged so far: the second file of a rotation may not be written yet
        }
        raw = again;
      }
    }
  }

  private static Raw reread(TlsFiles files) throws TlsException {
    try {
      Thread.sleep(REREAD_PAUSE_MILLIS); // a pause between reads of files being replaced, bounded by the caller
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TlsException("interrupted while reading " + files.cert() + " and " + files.key());
    }
    return Raw.read(files);
  }

  /** The key file holds the private half of another certificate than the cert file's. */
  static final class MismatchException extends TlsException {
    MismatchException(String message) {
      super(message);
    }
  }

  static TlsMaterial check(Raw raw, String alias, Instant now) throws TlsException {
    TlsFiles f = raw.files();
    List<X509Certificate> authorities = authorities(f, Pem.certificates("ca file", f.ca(), raw.ca()));
    List<X509Certificate> chain = Pem.certificates("cert file", f.cert(), raw.cert());
    PrivateKey key = Pem.privateKey("key file", f.key(), raw.key());
    X509Certificate leaf = chain.get(0);
    if (!matches(key, leaf.getPublicKey())) {
      throw new MismatchException("key file " + f.key() + " does not match the certificate in " + f.cert() + " ("
          + Chains.subject(leaf) + ")");
    }
    for (X509Certificate ca : authorities) {
      String invalid = Chains.validity(ca, now);
      if (invalid != null) {
        throw new TlsException("ca file " + f.ca() + ": the CA certificate " + Chains.subject(ca) + " " + invalid);
      }
    }
    String problem = Chains.problem(chain, authorities, now, " in " + f.ca());
    if (problem != null) {
      throw new TlsException("cert file " + f.cert() + ": the certificate " + problem);
    }
    return new TlsMaterial(alias, List.copyOf(chain), key, authorities, pkix(f, authorities), raw.digest());
  }

  private static List<X509Certificate> authorities(TlsFiles f, List<X509Certificate> certs) throws TlsException {
    List<X509Certificate> cas = new ArrayList<>();
    for (X509Certificate c : certs) {
      if (c.getBasicConstraints() >= 0) {
        cas.add(c);
      }
    }
    if (cas.isEmpty()) {
      throw new TlsException("ca file " + f.ca() + " holds no CA certificate (" + Chains.subject(certs.get(0))
          + " is not a certificate authority)");
    }
    return List.copyOf(cas);
  }

  /** Whether {@code key} is the private half of {@code pub}: it signs something {@code pub} verifies. */
  static boolean matches(PrivateKey key, PublicKey pub) throws TlsException {
    if (!key.getAlgorithm().equals(pub.getAlgorithm())) {
      return false;
    }
    String alg = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "RSASSA-PSS" -> "RSASSA-PSS";
      default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA name their own signature
    };
    byte[] challenge = new byte[32];
    new SecureRandom().nextBytes(challenge);
    try {
      Signature s = Signature.getInstance(alg);
      if (alg.equals("RSASSA-PSS")) {
        s.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
            java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
      }
      s.initSign(key);
      s.update(challenge);
      byte[] signature = s.sign();
      s.initVerify(pub);
      s.update(challenge);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      throw new TlsException("cannot use a " + key.getAlgorithm() + " key: " + Pem.firstLine(e), e);
    }
  }

  private static X509ExtendedTrustManager pkix(TlsFiles f, List<X509Certificate> authorities) throws TlsException {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      for (int i = 0; i < authorities.size(); i++) {
        ks.setCertificateEntry("ca-" + i, authorities.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(ks);
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x) {
          return x;
        }
      }
      throw new TlsException("ca file " + f.ca() + ": the JDK offers no X.509 trust manager");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new TlsException("ca file " + f.ca() + ": cannot trust its CAs: " + Pem.firstLine(e), e);
    }
  }
}
