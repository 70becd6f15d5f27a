package io.groupsnap.common.tls;

import com.google.common.net.InetAddresses;
import io.groupsnap.common.Printable;
import java.net.InetAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The subject alternative names a daemon's certificate is issued for: DNS names ({@code coord-1.example.org},
 * {@code localhost}) and IP addresses ({@code 10.0.0.5}, {@code ::1}). Checked before anything is issued, without
 * looking any name up.
 */
public final class SubjectNames {
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

  private static final int DNS = 2;
  private static final int IP = 7;

  private SubjectNames() {}

  /** Whether {@code san} is an IP address literal (as opposed to a DNS name). */
  public static boolean isIp(String san) {
    return InetAddresses.isInetAddress(san);
  }

  /**
   * Returns {@code san} when it is a DNS name or an IP address literal.
   *
   * @throws IllegalArgumentException one line naming the value and what is wrong with it
   */
  public static String require(String san) {
    if (san == null || san.isEmpty()) {
      throw new IllegalArgumentException("empty subject alternative name");
    }
    if (isIp(san)) {
      return san;
    }
    if (san.length() > 253) {
      throw new IllegalArgumentException("'" + Printable.value(san) + "' is too long for a DNS name (at most 253)");
    }
    for (String label : san.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        throw new IllegalArgumentException("'" + Printable.value(san) + "' is neither an IP address nor a DNS name "
            + "(dot-separated labels of letters, digits and '-', each at most 63)");
      }
    }
    return san;
  }

  /** The address an IP literal names, without a look-up. */
  public static InetAddress address(String ip) {
    return InetAddresses.forString(ip);
  }

  /** The DNS names and IP addresses {@code c} is valid for, in its order, IP addresses written as people do. */
  public static List<String> of(X509Certificate c) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = c.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          int type = (Integer) san.get(0);
          if (type == DNS) {
            names.add((String) san.get(1));
          } else if (type == IP) {
            String ip = (String) san.get(1);
            names.add(isIp(ip) ? format(address(ip)) : ip);
          }
        }
      }
    } catch (CertificateParsingException e) {
      names.add("(unreadable: " + Pem.firstLine(e) + ")");
    }
    return names;
  }

  /** An address as people write it: {@code ::1} rather than {@code 0:0:0:0:0:0:0:1}. */
  public static String format(InetAddress a) {
    return InetAddresses.toAddrString(a);
  }
}
