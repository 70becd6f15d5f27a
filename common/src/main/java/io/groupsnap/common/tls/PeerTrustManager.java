package io.groupsnap.common.tls;

import java.net.Socket;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts a peer whose certificate chains to the current trusted authorities — the JDK's PKIX checks, and on a client
 * the host name check grpc asks for — and, on a client, satisfies the {@link PeerCheck}. A refusal is a
 * {@link Refusal} whose message says what is wrong in an operator's words.
 */
final class PeerTrustManager extends X509ExtendedTrustManager {
  private static final Logger LOG = LoggerFactory.getLogger(PeerTrustManager.class);

  private final Reloading material;
  private final PeerCheck check;

  /** @param check what a client requires of its server; null on a server */
  PeerTrustManager(Reloading material, PeerCheck check) {
    this.material = material;
    this.check = check;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    TlsMaterial m = material.current();
    try {
      m.pkix().checkClientTrusted(chain, authType, engine);
    } catch (CertificateException e) {
      Refusal r = explain("the client's", chain, m, e, null);
      LOG.debug("TLS: refused a client: {}", r.getMessage());
      throw r;
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    TlsMaterial m = material.current();
    try {
      m.pkix().checkServerTrusted(chain, authType, engine);
    } catch (CertificateException e) {
      throw explain("the server's", chain, m, e, onlyTheName(chain, authType, m, engine));
    }
    peerCheck(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    TlsMaterial m = material.current();
    try {
      m.pkix().checkClientTrusted(chain, authType, socket);
    } catch (CertificateException e) {
      throw explain("the client's", chain, m, e, null);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    TlsMaterial m = material.current();
    try {
      m.pkix().checkServerTrusted(chain, authType, socket);
    } catch (CertificateException e) {
      throw explain("the server's", chain, m, e, null);
    }
    peerCheck(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    checkClientTrusted(chain, authType, (SSLEngine) null);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    checkServerTrusted(chain, authType, (SSLEngine) null);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return material.current().authorities().toArray(X509Certificate[]::new);
  }

  /** The host dialled when the chain is fine but for that name, else null. */
  private static String onlyTheName(X509Certificate[] chain, String authType, TlsMaterial m, SSLEngine engine) {
    if (engine == null || engine.getPeerHost() == null) {
      return null;
    }
    try {
      m.pkix().checkServerTrusted(chain, authType); // the same checks but the host name's
      return engine.getPeerHost();
    } catch (CertificateException | RuntimeException e) {
      return null;
    }
  }

  private void peerCheck(X509Certificate[] chain) throws Refusal {
    if (check == null) {
      return;
    }
    String refusal = check.refusal(Identity.of(chain[0]));
    if (refusal != null) {
      throw new Refusal(refusal, null);
    }
  }

  /** Why the JDK refused {@code chain}, in an operator's words; {@code host} is the name a client dialled. */
  private Refusal explain(String whose, X509Certificate[] chain, TlsMaterial m, CertificateException e, String host) {
    // the cause the JDK picks its alert from (certificate_expired, bad_certificate…) is kept
    Throwable cause = e.getCause() instanceof CertPathValidatorException ? e.getCause() : e;
    if (chain == null || chain.length == 0) {
      return new Refusal(whose + " certificate is missing", cause);
    }
    String problem = Chains.problem(List.of(chain), m.authorities(), material.now(), "");
    if (problem != null) {
      return new Refusal(whose + " certificate " + problem, cause);
    }
    X509Certificate leaf = chain[0];
    if (host != null) {
      return new Refusal(whose + " certificate " + Chains.subject(leaf) + " is not valid for '" + host
          + "', the name dialled (it names " + String.join(", ", SubjectNames.of(leaf)) + ")", cause);
    }
    return new Refusal(whose + " certificate " + Chains.subject(leaf) + " is refused: " + Pem.firstLine(e), cause);
  }
}
