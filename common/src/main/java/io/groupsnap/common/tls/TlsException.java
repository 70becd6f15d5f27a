package io.groupsnap.common.tls;

/** TLS material that cannot be used; the message is one line naming the file and what is wrong with it. */
public class TlsException extends Exception {
  public TlsException(String message) {
    super(message);
  }

  public TlsException(String message, Throwable cause) {
    super(message, cause);
  }
}
