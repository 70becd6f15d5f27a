package io.groupsnap.devkit.cluster;

import io.groupsnap.common.tls.CertAuthority;
import io.groupsnap.common.tls.Role;
import io.groupsnap.common.tls.TlsFiles;
import io.groupsnap.common.tls.TransportSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The transport of every part of a dev cluster: the coordinator's, each agent's and the {@code admin} client's (the
 * operator's shell and the demo). {@link #issue} makes a new authority and their certificates in a directory of the
 * cluster's data dir, valid on loopback ({@code 127.0.0.1}, {@code localhost}), so that a dev cluster runs mutual TLS
 * like a real one; the authority's key stays there too ({@link #CA_KEY}), so that tests can issue more. The daemons
 * reread their files every {@link #RELOAD_EVERY}: replacing them (key first, then certificate, each atomically)
 * rotates a running cluster's certificates.
 */
public final class DevTls {
  public static final String CA = "ca.pem";
  public static final String CA_KEY = "ca.key";
  /** The dev cluster's client, holding every operator role. */
  public static final String ADMIN = "admin";
  public static final String COORDINATOR = "coordinator";
  static final Duration VALIDITY = Duration.ofDays(30);
  /** The names every certificate of a daemon of a dev cluster is valid for. */
  public static final List<String> LOOPBACK = List.of("127.0.0.1", "localhost");
  /**
   * How often the daemons of a dev cluster reread their TLS files: every second, so that a rotation (by hand, or by a
   * test) takes effect at once; rereading is a hash of three small files.
   */
  public static final Duration RELOAD_EVERY = Duration.ofSeconds(1);

  private final TransportSettings coordinator;
  private final Map<String, TransportSettings> agents;
  private final TransportSettings client;

  private DevTls(TransportSettings coordinator, Map<String, TransportSettings> agents, TransportSettings client) {
    this.coordinator = coordinator;
    this.agents = Map.copyOf(agents);
    this.client = client;
  }

  /** Plaintext everywhere. */
  static DevTls plaintext(List<String> agentIds) {
    Map<String, TransportSettings> agents = new LinkedHashMap<>();
    agentIds.forEach(id -> agents.put(id, TransportSettings.plaintext()));
    return new DevTls(TransportSettings.plaintext(), agents, TransportSettings.plaintext());
  }

  /**
   * A new authority in {@code dir} ({@link #CA}, {@link #CA_KEY}) and, signed by it, {@code coordinator.pem/.key}
   * (coordinator role), {@code <agent id>.pem/.key} (agent role) and {@code admin.pem/.key} (admin role).
   */
  static DevTls issue(Path dir, List<String> agentIds) throws IOException {
    Files.createDirectories(dir);
    CertAuthority ca = CertAuthority.create(CertAuthority.newName(), VALIDITY);
    ca.write(dir.resolve(CA), dir.resolve(CA_KEY));
    Map<String, TransportSettings> agents = new LinkedHashMap<>();
    for (String id : agentIds) {
      agents.put(id, leaf(ca, dir, id, Role.AGENT, LOOPBACK));
    }
    return new DevTls(leaf(ca, dir, COORDINATOR, Role.COORDINATOR, LOOPBACK), agents,
        leaf(ca, dir, ADMIN, Role.ADMIN, List.of()));
  }

  private static TransportSettings leaf(CertAuthority ca, Path dir, String name, Role role, List<String> sans)
      throws IOException {
    Path cert = dir.resolve(name + ".pem");
    Path key = dir.resolve(name + ".key");
    ca.issue(CertAuthority.Leaf.valid(name, Set.of(role), sans, VALIDITY)).write(cert, key);
    return TransportSettings.tls(new TlsFiles(dir.resolve(CA), cert, key)).withReloadEvery(RELOAD_EVERY);
  }

  TransportSettings coordinator() {
    return coordinator;
  }

  TransportSettings agent(String id) {
    return agents.get(id);
  }

  TransportSettings client() {
    return client;
  }

  /** The environment a shell needs to act as the cluster's {@code admin}: its TLS files, or insecure. */
  String env() {
    if (client.insecure()) {
      return "GROUPSNAP_INSECURE=1\n";
    }
    return "GROUPSNAP_TLS_CA=" + client.tls().ca() + "\nGROUPSNAP_TLS_CERT=" + client.tls().cert()
        + "\nGROUPSNAP_TLS_KEY=" + client.tls().key() + "\n";
  }
}
