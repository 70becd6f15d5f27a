package io.groupsnap.common.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Reading and writing the PEM files of {@link TlsFiles}: certificates, and unencrypted PKCS#8 private keys kept
 * private to their owner. Every read failure is a {@link TlsException} whose one-line message names the file and the
 * problem, with the command that fixes it where there is one. Writes replace a file atomically, a key file being
 * created with mode 0600 from the start.
 */
public final class Pem {
  private static final Set<PosixFilePermission> NOT_OWNER = Set.of(PosixFilePermission.GROUP_READ,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private Pem() {}

  /** The bytes of {@code file}, which {@code what} names in messages ("cert file"). */
  static byte[] read(String what, Path file) throws TlsException {
    try {
      if (Files.isDirectory(file)) {
        throw new TlsException(what + " " + file + " is a directory, not a PEM file");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new TlsException(what + " " + file + " does not exist");
    } catch (AccessDeniedException e) {
      throw new TlsException(what + " " + file + " is not readable (permission denied)");
    } catch (IOException e) {
      throw new TlsException(what + " " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** Refuses a key file that its group or others may read or write, as ssh does. */
  static void requirePrivate(String what, Path file) throws TlsException {
    Set<PosixFilePermission> mode;
    try {
      mode = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return; // not a POSIX file system: nothing to check
    } catch (IOException e) {
      throw new TlsException(what + " " + file + " cannot be read: " + e.getMessage(), e);
    }
    if (mode.stream().anyMatch(NOT_OWNER::contains)) {
      boolean readable = mode.contains(PosixFilePermission.GROUP_READ)
          || mode.contains(PosixFilePermission.OTHERS_READ);
      throw new TlsException(what + " " + file + " is " + (readable ? "readable" : "writable") + " by others (mode "
          + octal(mode) + "); chmod 600 " + file);
    }
  }

  /** The certificates in {@code file}, in order; at least one. */
  public static List<X509Certificate> readCertificates(String what, Path file) throws TlsException {
    return certificates(what, file, read(what, file));
  }

  static List<X509Certificate> certificates(String what, Path file, byte[] pem) throws TlsException {
    List<PemObject> objects = objects(what, file, pem);
    List<X509Certificate> certs = new ArrayList<>();
    for (PemObject o : objects) {
      if (o.getType().equals("CERTIFICATE")) {
        try {
          certs.add((X509Certificate) CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(o.getContent())));
        } catch (CertificateException e) {
          throw new TlsException(what + " " + file + " holds a CERTIFICATE block that is not an X.509 certificate: "
              + firstLine(e), e);
        }
      }
    }
    if (certs.isEmpty()) {
      throw new TlsException(what + " " + file + " holds no certificate (" + found(objects) + ")");
    }
    return certs;
  }

  /** The one unencrypted PKCS#8 private key in {@code pem}. */
  static PrivateKey privateKey(String what, Path file, byte[] pem) throws TlsException {
    List<PemObject> objects = objects(what, file, pem);
    String convert = "; convert it with: openssl pkey -in " + file + " -out " + file + ".pk8 (then move it over)";
    PrivateKey key = null;
    for (PemObject o : objects) {
      switch (o.getType()) {
        case "PRIVATE KEY" -> {
          if (key != null) {
            throw new TlsException(what + " " + file + " holds more than one private key");
          }
          try {
            key = new JcaPEMKeyConverter().getPrivateKey(PrivateKeyInfo.getInstance(o.getContent()));
          } catch (IOException | RuntimeException e) {
            throw new TlsException(what + " " + file + " holds a PRIVATE KEY block that is not a readable PKCS#8 key: "
                + firstLine(e), e);
          }
        }
        case "ENCRYPTED PRIVATE KEY" -> throw new TlsException(what + " " + file
            + " holds an encrypted key; groupsnap needs it unencrypted (PKCS#8)" + convert);
        case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY" -> throw new TlsException(
            what + " " + file + " holds a " + o.getType() + " (not PKCS#8 'PRIVATE KEY')" + convert);
        default -> { }
      }
    }
    if (key == null) {
      throw new TlsException(what + " " + file + " holds no private key (" + found(objects) + ")");
    }
    return key;
  }

  private static List<PemObject> objects(String what, Path file, byte[] pem) throws TlsException {
    List<PemObject> objects = new ArrayList<>();
    try (PemReader r = new PemReader(new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII))) {
      for (PemObject o = r.readPemObject(); o != null; o = r.readPemObject()) {
        objects.add(o);
      }
    } catch (IOException | RuntimeException e) {
      throw new TlsException(what + " " + file + " is not valid PEM: " + firstLine(e), e);
    }
    if (objects.isEmpty()) {
      throw new TlsException(what + " " + file + " is not PEM (no '-----BEGIN' line)");
    }
    return objects;
  }

  private static String found(List<PemObject> objects) {
    return "it holds " + objects.stream().map(PemObject::getType).distinct().collect(Collectors.joining(", "));
  }

  /** Writes {@code certs} to {@code file} (mode 0644), replacing it atomically. */
  public static void writeCertificates(Path file, List<X509Certificate> certs) throws IOException {
    StringWriter text = new StringWriter();
    try (PemWriter w = new PemWriter(text)) {
      for (X509Certificate c : certs) {
        w.writeObject(new PemObject("CERTIFICATE", c.getEncoded()));
      }
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IOException("cannot encode certificate " + certs, e);
    }
    replace(file, text.toString(), PosixFilePermissions.fromString("rw-r--r--"));
  }

  /** Writes {@code key} as unencrypted PKCS#8 to {@code file}, created with mode 0600, replacing it atomically. */
  public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
    StringWriter text = new StringWriter();
    try (PemWriter w = new PemWriter(text)) {
      w.writeObject(new PemObject("PRIVATE KEY", key.getEncoded()));
    }
    replace(file, text.toString(), PosixFilePermissions.fromString("rw-------"));
  }

  private static void replace(Path file, String text, Set<PosixFilePermission> mode) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(mode);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", attr);
    try {
      Files.writeString(tmp, text, StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** {@code 0644}. */
  static String octal(Set<PosixFilePermission> mode) {
    int bits = 0;
    for (PosixFilePermission p : mode) {
      bits |= 1 << (8 - p.ordinal());
    }
    return String.format("%04o", bits);
  }

  static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
