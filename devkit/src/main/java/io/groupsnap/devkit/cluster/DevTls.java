package io.groupsnap.devkit.cluster;

import io.groupsnap.common.tls.TransportSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The transport of every part of a dev cluster: the coordinator's, each agent's and the {@code admin} client's (the
 * operator's shell and the demo).
 */
final class DevTls {
  private final TransportSettings coordinator;
  private final Map<String, TransportSettings> agents;
  private final TransportSettings client;

  private DevTls(TransportSettings coordinator, Map<String, TransportSettings> agents, TransportSettings client) {
    this.coordinator = coordinator;
    this.agents = Map.copyOf(agents);
    this.client = client;
  }

  /** Plaintext everywhere (until the cluster issues its own certificates). */
  static DevTls plaintext(List<String> agentIds) {
    Map<String, TransportSettings> agents = new LinkedHashMap<>();
    agentIds.forEach(id -> agents.put(id, TransportSettings.plaintext()));
    return new DevTls(TransportSettings.plaintext(), agents, TransportSettings.plaintext());
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
