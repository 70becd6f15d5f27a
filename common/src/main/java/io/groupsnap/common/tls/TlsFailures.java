package io.groupsnap.common.tls;

import java.security.cert.CertificateException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Turns a client's failed TLS handshake — a gRPC {@code UNAVAILABLE} whose causes hold the JDK's exception — into one
 * line an operator acts on: whose certificate is wrong and why (not signed by our CA, expired, not valid for the name
 * dialled, refused by the {@link PeerCheck}), or that the server refused ours.
 */
public final class TlsFailures {
  private static final Pattern ALERT = Pattern.compile("Received fatal alert: ([a-z_]+)");
  private static final Map<String, String> ALERTS = Map.of(
      "bad_certificate", "the server refused our certificate (bad_certificate): we presented none, or none signed "
          + "by a CA it trusts",
      "certificate_unknown", "the server refused our certificate (certificate_unknown): is it signed by the CA the "
          + "server trusts, valid now, and for client use?",
      "unknown_ca", "the server does not trust the CA that signed our certificate (unknown_ca)",
      "certificate_expired", "the server refused our certificate as expired or not yet valid (certificate_expired)",
      "certificate_revoked", "the server refused our certificate as revoked (certificate_revoked)",
      "certificate_required", "the server requires a client certificate and we presented none (certificate_required)",
      "unsupported_certificate", "the server refused our certificate's type (unsupported_certificate)",
      "protocol_version", "the server does not speak TLS 1.3 (protocol_version)",
      "handshake_failure", "no TLS parameters in common with the server (handshake_failure): does it speak TLS 1.3?",
      "access_denied", "the server denied access (access_denied)");
  private static final Set<String> NOT_TLS = Set.of("NotSslRecordException");

  private TlsFailures() {}

  /** One line saying why the handshake behind {@code failure} failed, or null when TLS is not why it failed. */
  public static String describe(Throwable failure) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    String fallback = null;
    for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
      if (t instanceof Refusal) {
        return t.getMessage();
      }
      if (NOT_TLS.contains(t.getClass().getSimpleName())
          || (t instanceof SSLException && String.valueOf(t.getMessage()).contains("plaintext connection"))) {
        return "the server does not speak TLS (is it running insecure?)";
      }
      String message = String.valueOf(t.getMessage());
      Matcher alert = ALERT.matcher(message);
      if (t instanceof SSLException && alert.find()) {
        return ALERTS.getOrDefault(alert.group(1), "the server ended the TLS handshake (" + alert.group(1) + ")");
      }
      if (fallback == null && (t instanceof SSLException || t instanceof CertificateException)) {
        fallback = "TLS handshake failed: " + Pem.firstLine(t);
      }
    }
    return fallback;
  }
}
