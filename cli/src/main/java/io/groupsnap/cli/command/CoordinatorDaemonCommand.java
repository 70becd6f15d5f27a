package io.groupsnap.cli.command;

import io.groupsnap.common.Durations;
import io.groupsnap.coordinator.runs.RunOptions;

import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.DaemonLogging;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.TlsOptions;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.SystemFaultPoints;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.metrics.MetricsEndpoint;
import io.groupsnap.common.zkauth.CredentialsFileException;
import io.groupsnap.common.zkauth.ZkCredentials;
import io.groupsnap.common.zkauth.ZkRefusedException;
import io.groupsnap.common.tls.Role;
import io.groupsnap.common.tls.TlsException;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.common.tls.TransportSettings;
import io.groupsnap.coordinator.Coordinator;
import io.groupsnap.coordinator.CoordinatorConfig;
import io.groupsnap.coordinator.audit.AuditRetention;
import io.groupsnap.coordinator.groupcheck.GroupChecksFile;
import io.groupsnap.coordinator.txn.DecisionRule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code groupsnap coordinator}: a coordinator daemon (leader or standby). */
@Command(name = "coordinator", mixinStandardHelpOptions = true,
    description = "Run a coordinator; several may run, one leads (ZooKeeper election).")
public final class CoordinatorDaemonCommand implements Callable<Integer> {
  @Option(names = "--log-format", paramLabel = "text|json",
      description = "Log lines as text or as one JSON object each (default: $GROUPSNAP_LOG_FORMAT, else text).")
  String logFormat;

  @Option(names = "--zookeeper", paramLabel = "CONNECT", required = true, description = "ZooKeeper connect string.")
  String zookeeper;

  @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:7300",
      description = "Where to serve (default ${DEFAULT-VALUE}).")
  String listen;

  @Option(names = "--advertise", paramLabel = "HOST:PORT",
      description = "Address others use to reach this coordinator (default: derived from --listen).")
  String advertise;

  @Option(names = "--metrics-listen", paramLabel = "HOST:PORT",
      description = "Serve Prometheus metrics at http://HOST:PORT/metrics (default: none, no endpoint; the packaged "
          + "coordinator.env sets 127.0.0.1:9464).")
  String metricsListen;

  @Option(names = "--cluster", paramLabel = "NAME", defaultValue = "default", description = "Cluster name.")
  String cluster;

  @Option(names = "--freeze-timeout", paramLabel = "DURATION", description = "Default freeze timeout (10s).")
  String freezeTimeout;

  @Option(names = "--scrub-interval", paramLabel = "DURATION",
      description = "How often the leader checks every committed group snapshot's captures (default 1h).")
  String scrubInterval;

  @Option(names = "--forget-agents-after", paramLabel = "DURATION",
      description = "Forget an agent unregistered for this long (24h); until then a group snapshot of every agent "
          + "refuses to start without it.")
  String forgetAgentsAfter;

  @Option(names = "--zookeeper-session-timeout", paramLabel = "DURATION",
      description = "ZooKeeper session timeout, 2s..2m (default 10s): a killed leader is replaced after about this "
          + "long; shorter also means more spurious failovers when the process pauses.")
  String sessionTimeout;

  @Option(names = "--audit-retention", paramLabel = "DURATION",
      description = "Keep audit entries this long, 1h..3650d (default 90d); the leader prunes older ones hourly.")
  String auditRetention;

  @Option(names = "--audit-max-entries", paramLabel = "N",
      description = "Keep at most this many audit entries, the newest, 100..200000 (default 100000).")
  Integer auditMaxEntries;

  @Option(names = "--max-concurrent-exports", paramLabel = "N", defaultValue = "4",
      description = "How many agents may export backup runs at once, across the cluster (default ${DEFAULT-VALUE}).")
  int maxConcurrentExports;

  @Option(names = "--export-deadline", paramLabel = "DURATION",
      description = "A backup run's exports not finished this long after its commit fail (default 6h).")
  String exportDeadline;

  @Option(names = "--retention-interval", paramLabel = "DURATION",
      description = "How often the leader applies every group's retention and looks for test restores its verify "
          + "policy asks for; it also does after each run (default 10m).")
  String retentionInterval;

  @Option(names = "--zookeeper-auth", paramLabel = "FILE",
      description = "ZooKeeper credentials (mode 0600/0400): lines coordinator:PASSWORD and agents:PASSWORD. The "
          + "coordinator authenticates with them, protects every node it makes with ACLs and tightens those of a "
          + "cluster made without. Required unless --insecure.")
  Path zookeeperAuth;

  @Option(names = "--tls-ca", paramLabel = "FILE",
      description = "Certificate authority (PEM) whose agents and operators this coordinator trusts.")
  Path tlsCa;

  @Option(names = "--tls-cert", paramLabel = "FILE",
      description = "This coordinator's certificate (PEM), with the coordinator role (groupsnap certs init).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "Its private key (PEM, PKCS#8).")
  Path tlsKey;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Settings file (YAML). Today: groupVerify, the test restores' group checks by group name (or "
          + "\"*\"): command (argv, {paths} as one argument: one AGENT:VOLUME=PATH per member) and timeout "
          + "(default 10m). The leader runs them on its own host (docs/operations.md, \"Test restores\").")
  Path config;

  @Option(names = "--insecure",
      description = "Plaintext gRPC, every caller trusted, instead of mutual TLS, and ZooKeeper without "
          + "--zookeeper-auth allowed (every node open to anyone): never in production.")
  boolean insecure;

  /** What a coordinator started with neither TLS files nor --insecure is told. */
  static final String NO_TLS = "no TLS credentials: give --tls-ca, --tls-cert and --tls-key (a certificate with the "
      + "coordinator role, e.g. from groupsnap certs init), or --insecure for plaintext (never in production)";

  /** What a coordinator started with TLS (or nothing) but without ZooKeeper credentials is told. */
  static final String NO_ZOOKEEPER_AUTH = "no ZooKeeper credentials: give --zookeeper-auth FILE (mode 0600, lines "
      + "coordinator:PASSWORD and agents:PASSWORD), or --insecure to leave every ZooKeeper node open to anyone "
      + "(never in production)";

  @Override
  public Integer call() throws Exception {
    DaemonLogging.Format format = DaemonLogging.format(logFormat);
    DaemonLogging.useDaemonDefaults(format);
    CoordinatorConfig cfg;
    try {
      cfg = CoordinatorConfig.defaults(cluster, zookeeper, HostPort.parse(listen));
      if (advertise != null) {
        cfg = new CoordinatorConfig(cfg.cluster(), cfg.zookeeper(), cfg.listen(), HostPort.parse(advertise),
            cfg.prepareTimeout(), cfg.freezeTimeout(), cfg.thawTimeout(), cfg.finishTimeout(), cfg.zkWait(),
            cfg.resolveInterval(), cfg.scrubInterval(), cfg.forgetAgentsAfter());
      }
      if (sessionTimeout != null) {
        Duration d = SnapshotCommand.duration("--zookeeper-session-timeout", sessionTimeout);
        cfg = cfg.withZkSessionTimeout(ZkClients.requireSessionTimeout("--zookeeper-session-timeout", d));
      }
      if (forgetAgentsAfter != null) {
        cfg = cfg.withForgetAgentsAfter(SnapshotCommand.duration("--forget-agents-after", forgetAgentsAfter));
      }
      if (freezeTimeout != null) {
        cfg = cfg.withTimeouts(cfg.prepareTimeout(), SnapshotCommand.duration("--freeze-timeout", freezeTimeout),
            cfg.thawTimeout(), cfg.finishTimeout());
      }
      if (scrubInterval != null) {
        cfg = scrub(cfg, SnapshotCommand.duration("--scrub-interval", scrubInterval));
      }
      if (config != null) {
        cfg = cfg.withGroupChecks(GroupChecksFile.load(config));
      }
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
    ZkCredentials credentials = null;
    if (zookeeperAuth != null) {
      try {
        credentials = ZkCredentials.load(zookeeperAuth).require(ZkCredentials.COORDINATOR, "a coordinator")
            .require(ZkCredentials.AGENTS, "a coordinator");
      } catch (CredentialsFileException e) {
        throw new CliException(ExitCodes.USAGE, "--zookeeper-auth: " + e.getMessage());
      }
    }
    AuditRetention retention = audit(auditRetention, auditMaxEntries);
    RunOptions runs = RunOptions.defaults();
    try {
      runs = runs.withMaxConcurrentExports(maxConcurrentExports);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, "--max-concurrent-exports: " + e.getMessage());
    }
    try {
      runs = runs.withExportDeadline(exportDeadline == null ? RunOptions.DEFAULT_EXPORT_DEADLINE
          : Durations.parse(exportDeadline));
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, "--export-deadline: " + e.getMessage());
    }
    try {
      runs = runs.withRetentionInterval(retentionInterval == null ? RunOptions.DEFAULT_RETENTION_INTERVAL
          : Durations.parse(retentionInterval));
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, "--retention-interval: " + e.getMessage());
    }
    HostPort metricsAt = metricsAddress(metricsListen);
    TransportSettings tls = TlsOptions.daemon(insecure, tlsCa, tlsCert, tlsKey, NO_TLS);
    if (credentials == null && !insecure) {
      throw new CliException(ExitCodes.USAGE, NO_ZOOKEEPER_AUTH);
    }
    Transport transport;
    try {
      transport = tls.openAs(Role.COORDINATOR, null);
    } catch (TlsException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
    Coordinator c = new Coordinator(cfg, transport, DecisionRule.STRICT, SystemFaultPoints.fromSystemProperties(),
        credentials).withAuditRetention(retention).withMetricsListen(metricsAt)
        .withBackupRuns(runs);
    try {
      c.start();
    } catch (ZkClients.UnreachableException | ZkRefusedException | MetricsEndpoint.UnavailableException e) {
      transport.close();
      throw new CliException(ExitCodes.FAILED, e.getMessage());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      c.close();
      transport.close();
    }, "groupsnap-coordinator-shutdown"));
    c.awaitTermination();
    return ExitCodes.OK;
  }

  /** The metrics endpoint's address from {@code --metrics-listen}: null for none; exit 2 naming the flag if bad. */
  static HostPort metricsAddress(String text) throws CliException {
    if (text == null || text.equals("none")) {
      return null;
    }
    try {
      return HostPort.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, "--metrics-listen: " + e.getMessage() + " (or none)");
    }
  }

  /** The audit trail's retention from the flags; exit 2 with one line naming the flag when out of bounds. */
  static AuditRetention audit(String age, Integer maxEntries) throws CliException {
    AuditRetention r = AuditRetention.DEFAULT;
    if (age != null) {
      try {
        r = r.withMaxAge(AuditCommand.days(age));
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCodes.USAGE, "--audit-retention: " + e.getMessage());
      }
    }
    if (maxEntries != null) {
      try {
        r = r.withMaxEntries(maxEntries);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCodes.USAGE, "--audit-max-entries: " + e.getMessage());
      }
    }
    return r;
  }

  private static CoordinatorConfig scrub(CoordinatorConfig cfg, java.time.Duration every) throws CliException {
    try {
      return cfg.withScrubInterval(every);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, "--scrub-interval: " + e.getMessage());
    }
  }
}
