package io.groupsnap.common.tls;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What is wrong with a certificate chain, in words an operator acts on: expired (with the dates), or not issued by
 * the trusted authority (naming both). The checks the JDK makes during a handshake, made again to explain a refusal.
 */
final class Chains {
  private Chains() {}

  /** The subject, as {@code CN=agent-1,O=groupsnap:agent}. */
  static String subject(X509Certificate c) {
    return c.getSubjectX500Principal().getName();
  }

  /** Why {@code c} is not valid at {@code now} ("expired on …"), or null. */
  static String validity(X509Certificate c, Instant now) {
    Instant from = c.getNotBefore().toInstant();
    Instant to = c.getNotAfter().toInstant();
    String window = "(valid from " + day(from) + " to " + day(to) + ")";
    if (now.isAfter(to)) {
      return "expired on " + day(to) + " " + window;
    }
    if (now.isBefore(from)) {
      return "is not valid until " + day(from) + " " + window;
    }
    return null;
  }

  private static String day(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /**
   * Why {@code chain} (leaf first) does not lead to one of {@code authorities} at {@code now}, starting with the
   * leaf's subject; null when it does.
   *
   * @param caWhere where the authorities come from, appended to "not issued by the CA …" (" in ca.pem")
   */
  static String problem(List<X509Certificate> chain, List<X509Certificate> authorities, Instant now, String caWhere) {
    X509Certificate leaf = chain.get(0);
    for (X509Certificate c : chain) {
      String invalid = validity(c, now);
      if (invalid != null) {
        return subject(leaf) + (c == leaf ? "" : ": its issuer " + subject(c)) + " " + invalid;
      }
    }
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate a : authorities) {
      anchors.add(new TrustAnchor(a, null));
    }
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate c : chain) {
      if (!authorities.contains(c)) {
        path.add(c);
      }
    }
    try {
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path),
          params);
      return null;
    } catch (CertPathValidatorException e) {
      X509Certificate top = path.isEmpty() ? leaf : path.get(path.size() - 1);
      String cas = authorities.stream().map(Chains::subject).collect(Collectors.joining("; "));
      return subject(leaf) + " is signed by " + top.getIssuerX500Principal().getName() + ", not by the CA " + cas
          + caWhere;
    } catch (GeneralSecurityException e) {
      return subject(leaf) + " cannot be checked: " + Pem.firstLine(e);
    }
  }
}
