package io.groupsnap.agent;

import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.export.ExportTarget;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.common.Formats;
import io.groupsnap.common.HostPort;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.ExportTargetInfo;
import io.groupsnap.proto.v1.VolumeInfo;
import io.groupsnap.proto.v1.WriterInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

/**
 * What an agent registers in ZooKeeper, and the endpoint coordinators are told to dial: {@code advertise} when
 * configured (its port 0 meaning the port the server got), else the listen address, a wildcard replaced by this
 * host's address.
 */
final class RegistrationRecord {
  private RegistrationRecord() {}

  static HostPort advertised(AgentConfig config, int port) throws IOException {
    if (config.advertise() != null) {
      return new HostPort(config.advertise().host(), config.advertise().port() == 0 ? port
          : config.advertise().port());
    }
    String host = config.listen().host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = InetAddress.getLocalHost().getHostAddress();
    }
    return new HostPort(host, port);
  }

  /** The agent's registration: endpoint, labels, version, lease limit, and its volumes, writers and targets. */
  static AgentRegistration of(AgentConfig config, HostPort endpoint, String version, List<Volume> volumes,
      List<Writer> writers, List<ExportTarget> targets) {
    AgentRegistration.Builder reg = AgentRegistration.newBuilder().setAgentId(config.agentId())
        .setEndpoint(endpoint.toString()).putAllLabels(config.labels()).setVersion(version)
        .setStartedAtMillis(System.currentTimeMillis())
        .setMaxFreezeLeaseMillis(config.maxFreezeLease().toMillis()).setFormatVersion(Formats.CURRENT);
    volumes.forEach(v -> reg.addVolumes(VolumeInfo.newBuilder().setName(v.name()).setKind(v.kind())
        .setPath(v.path().toString())));
    writers.forEach(w -> reg.addWriters(WriterInfo.newBuilder().setName(w.name()).setKind(w.kind())
        .setTier(w.tier())));
    targets.forEach(t -> reg.addExportTargets(ExportTargetInfo.newBuilder().setName(t.name()).setKind(t.kind())));
    return reg.build();
  }
}
