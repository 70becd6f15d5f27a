package io.groupsnap.common.tls;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a daemon or client finds its TLS material, all PEM: the certificate authority it trusts, its own certificate
 * (chain) and its private key (PKCS#8).
 */
public record TlsFiles(Path ca, Path cert, Path key) {
  public TlsFiles {
    Objects.requireNonNull(ca, "ca");
    Objects.requireNonNull(cert, "cert");
    Objects.requireNonNull(key, "key");
  }
}
