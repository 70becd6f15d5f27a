package io.groupsnap.common.tls;

import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Who is calling (or answering): the common name of a peer's certificate and the roles it carries.
 *
 * @param name the subject's common name ({@code CN}); for an agent, its agent id
 * @param roles the roles named by the subject's {@code O=groupsnap:<role>} entries
 */
public record Identity(String name, Set<Role> roles) {
  /** Every caller of a daemon started with {@code insecure}: nobody is authenticated, everything is allowed. */
  public static final Identity INSECURE = new Identity("anonymous (insecure)", EnumSet.allOf(Role.class));

  /** A caller nothing authenticated: no role. */
  public static final Identity NOBODY = new Identity("unauthenticated", Set.of());

  public Identity {
    roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
  }

  /**
   * The identity a certificate names: its subject's common name (the whole subject when it has none) and a role for
   * each subject organisation value {@code groupsnap:<role>}; other organisation values and unknown roles are
   * ignored, so a certificate grants only what it names.
   */
  public static Identity of(X509Certificate certificate) {
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    String name = null;
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (RDN rdn : subject.getRDNs()) {
      for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
        String value = atv.getValue() instanceof ASN1String text ? text.getString()
            : IETFUtils.valueToString(atv.getValue());
        if (atv.getType().equals(BCStyle.CN) && name == null) {
          name = value;
        } else if (atv.getType().equals(BCStyle.O) && value.startsWith(Role.PREFIX)) {
          Role.parse(value.substring(Role.PREFIX.length())).ifPresent(roles::add);
        }
      }
    }
    return new Identity(name != null ? name : certificate.getSubjectX500Principal().getName(), roles);
  }

  /** Whether one of the roles grants {@code needed}. */
  public boolean may(Role needed) {
    return roles.stream().anyMatch(r -> r.grants(needed));
  }

  /** {@code alice (viewer)} — for messages and the audit trail. */
  @Override
  public String toString() {
    String held = roles.isEmpty() ? "no role"
        : roles.stream().sorted().map(Role::label).collect(Collectors.joining(", "));
    return name + " (" + held + ")";
  }
}
