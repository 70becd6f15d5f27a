package io.groupsnap.cli.doctor;

import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.common.tls.Pem;
import io.groupsnap.common.tls.TlsException;
import io.groupsnap.common.tls.TlsFiles;
import io.groupsnap.common.tls.Transport;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The agent's TLS material loaded as the agent loads it (the files readable, the key private and matching the
 * certificate, the chain issued by the CA and valid now), then each certificate's expiry: FAIL when any expires within
 * {@link #SOON}, which is the time a rotation needs.
 */
final class TlsChecks {
  static final Duration SOON = Duration.ofDays(14);

  private final Clock clock;

  TlsChecks(Clock clock) {
    this.clock = clock;
  }

  List<Finding> check(AgentConfig config) {
    if (config.insecure()) {
      return List.of(Finding.warn("tls", "insecure: true", "plaintext gRPC, every caller trusted"));
    }
    TlsFiles files = config.tls();
    if (files == null) {
      return List.of(Finding.fail("tls", "tls", "neither tls files nor insecure: true are configured"));
    }
    try (Transport t = Transport.tls(files, Duration.ZERO)) {
      t.identity();
    } catch (TlsException e) {
      return List.of(Finding.fail("tls", files.cert().toString(), e.getMessage()));
    } catch (Exception e) {
      return List.of(Finding.fail("tls", files.cert().toString(), "cannot be loaded: " + e.getMessage()));
    }
    return List.of(expiry("cert file", files.cert().toString(), files), expiry("ca file", files.ca().toString(),
        files));
  }

  private Finding expiry(String what, String subject, TlsFiles files) {
    List<X509Certificate> certs;
    try {
      certs = Pem.readCertificates(what, what.equals("ca file") ? files.ca() : files.cert());
    } catch (TlsException e) {
      return Finding.fail("tls", subject, e.getMessage());
    }
    Instant now = clock.instant();
    X509Certificate first = null;
    for (X509Certificate c : certs) {
      if (first == null || c.getNotAfter().before(first.getNotAfter())) {
        first = c;
      }
    }
    Instant until = first.getNotAfter().toInstant();
    String detail = first.getSubjectX500Principal().getName() + " valid until "
        + until.truncatedTo(ChronoUnit.SECONDS) + " (" + Duration.between(now, until).toDays() + " days)";
    return until.isBefore(now.plus(SOON))
        ? Finding.fail("tls", subject, detail + ": expires within " + SOON.toDays() + " days, rotate it")
        : Finding.ok("tls", subject, detail);
  }
}
