package io.groupsnap.common;

/**
 * A {@code host:port} endpoint.
 *
 * @param host a host name or IP address (IPv6 in brackets when written)
 * @param port 0 to 65535; 0 asks the system for a free port when listening
 */
public record HostPort(String host, int port) {
  public HostPort {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host is missing");
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
          || c == '_' || c == ':' || c == '%';
      if (!ok) { // a name or an address never holds spaces, control characters or markup
        throw new IllegalArgumentException("host '" + Names.printable(host) + "' holds a character no host name or "
            + "address has");
      }
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
    }
  }

  /**
   * Parses {@code host:port} or {@code [v6]:port}.
   *
   * @throws IllegalArgumentException quoting the text when it is not an endpoint
   */
  public static HostPort parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("endpoint is missing");
    }
    String t = text.trim();
    int colon = t.lastIndexOf(':');
    if (colon <= 0 || colon == t.length() - 1) {
      throw new IllegalArgumentException("endpoint '" + Names.printable(text) + "' is not host:port");
    }
    String host = t.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      return new HostPort(host, Integer.parseInt(t.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("endpoint '" + Names.printable(text) + "' has no numeric port");
    }
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
