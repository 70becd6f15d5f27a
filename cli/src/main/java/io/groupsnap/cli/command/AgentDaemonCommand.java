package io.groupsnap.cli.command;

import io.groupsnap.agent.Agent;
import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.config.ConfigException;
import io.groupsnap.agent.config.ConfigLoader;
import io.groupsnap.agent.restore.InPlaceRestores;
import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.DaemonLogging;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.SystemFaultPoints;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.metrics.MetricsEndpoint;
import io.groupsnap.common.zkauth.CredentialsFileException;
import io.groupsnap.common.zkauth.ZkRefusedException;
import io.groupsnap.common.tls.Role;
import io.groupsnap.common.tls.TlsException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code groupsnap agent --config FILE}: the agent daemon. */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = "Run the agent daemon of this host (validates the config first; exit 2 if it is broken).")
public final class AgentDaemonCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", required = true, description = "Agent YAML configuration.")
  Path config;

  @Option(names = "--zookeeper", paramLabel = "CONNECT", description = "Override the config's zookeeper.")
  String zookeeper;

  @Option(names = "--zookeeper-session-timeout", paramLabel = "DURATION",
      description = "Override the config's zookeeperSessionTimeout, 2s..2m (default 10s): a killed agent stays "
          + "registered about this long.")
  String sessionTimeout;

  @Option(names = "--log-format", paramLabel = "text|json",
      description = "Log lines as text or as one JSON object each (default: $GROUPSNAP_LOG_FORMAT, else text).")
  String logFormat;

  @Option(names = "--check", description = "Only validate the configuration, then exit.")
  boolean check;

  /**
   * A volume a crash left between the two renames of an in-place restore has no live directory, which the
   * configuration check refuses: the switch is finished first, from the state directory's journal alone.
   */
  private List<String> settleInterruptedSwitches() throws IOException {
    AgentConfig raw;
    try {
      raw = ConfigLoader.readUnchecked(config);
    } catch (ConfigException e) {
      return List.of(); // the full load below reports it
    }
    return InPlaceRestores.settleInterruptedSwitches(raw.stateDir()).stream()
        .map(line -> "agent " + raw.agentId() + ": " + line).toList();
  }

  @Override
  public Integer call() throws Exception {
    DaemonLogging.Format format = DaemonLogging.format(logFormat);
    AgentConfig cfg;
    Agent agent;
    List<String> settled = check ? List.of() : settleInterruptedSwitches();
    try {
      cfg = ConfigLoader.load(config);
      if (zookeeper != null) {
        cfg = cfg.withZookeeper(zookeeper);
      }
      if (sessionTimeout != null) {
        Duration d = SnapshotCommand.duration("--zookeeper-session-timeout", sessionTimeout);
        try {
          cfg = cfg.withZookeeperSessionTimeout(ZkClients.requireSessionTimeout("--zookeeper-session-timeout", d));
        } catch (IllegalArgumentException e) {
          throw new CliException(ExitCodes.USAGE, e.getMessage());
        }
      }
      agent = Agent.create(cfg, List.of(), ZkClients.DEFAULT_CONNECT_WAIT, SystemFaultPoints.fromSystemProperties());
    } catch (ConfigException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
    if (check) {
      try {
        cfg.transport().openAs(Role.AGENT, cfg.agentId(), Duration.ZERO).close(); // read and checked as at start
      } catch (TlsException e) {
        throw new CliException(ExitCodes.USAGE, e.getMessage());
      }
      System.out.println(config + ": ok (agent " + cfg.agentId() + ", " + cfg.volumes().size() + " volume(s), "
          + cfg.writers().size() + " writer(s))");
      return ExitCodes.OK;
    }
    DaemonLogging.useDaemonDefaults(format);
    settled.forEach(line -> LoggerFactory.getLogger(AgentDaemonCommand.class).info(line));
    try {
      agent.start();
    } catch (ZkClients.UnreachableException | ZkRefusedException | CredentialsFileException e) {
      throw new CliException(ExitCodes.FAILED, e.getMessage());
    } catch (MetricsEndpoint.UnavailableException e) {
      throw new CliException(ExitCodes.FAILED, config + ": " + e.getMessage());
    } catch (TlsException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "groupsnap-agent-shutdown"));
    agent.awaitTermination();
    return ExitCodes.OK;
  }

}
