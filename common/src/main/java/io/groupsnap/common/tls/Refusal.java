package io.groupsnap.common.tls;

import java.security.cert.CertificateException;

/**
 * A peer's certificate refused during a handshake, with the one-line reason an operator reads
 * ({@link TlsFailures#describe}). The JDK carries it as the cause of the handshake's failure.
 */
final class Refusal extends CertificateException {
  Refusal(String message, Throwable cause) {
    super(message, cause);
  }
}
