package io.groupsnap.common.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents this process's current certificate, on both sides of a handshake. The alias it hands out names one
 * material set, so a handshake that straddles a reload gets a chain and a key that belong together.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {
  private final Reloading material;

  ReloadingKeyManager(Reloading material) {
    this.material = material;
  }

  private String alias(String... keyTypes) {
    TlsMaterial m = material.current();
    String algorithm = m.key().getAlgorithm();
    if (keyTypes == null) {
      return m.alias();
    }
    for (String t : keyTypes) {
      if (t == null || t.equals(algorithm) || (t.equals("EdDSA") && algorithm.startsWith("Ed"))) {
        return m.alias();
      }
    }
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return alias(keyTypes);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return alias(keyTypes);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return alias(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return alias(keyType);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    String a = alias(keyType);
    return a == null ? null : new String[] {a};
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return getClientAliases(keyType, issuers);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    TlsMaterial m = material.byAlias(alias);
    return m == null ? null : m.chain().toArray(X509Certificate[]::new);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    TlsMaterial m = material.byAlias(alias);
    return m == null ? null : m.key();
  }
}
