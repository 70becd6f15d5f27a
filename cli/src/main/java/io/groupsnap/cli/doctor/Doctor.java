package io.groupsnap.cli.doctor;

import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.config.ConfigException;
import io.groupsnap.agent.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code groupsnap doctor}'s checks of an agent host, in order: the configuration, each volume and writer, the
 * privileges the volume kinds need, export targets, the snapshot root's free space and the state directory, TLS, and
 * ZooKeeper with the clock offset. Every check gives lines and never throws: a configuration that cannot even be read
 * is one FAIL line and nothing else; one that reads but fails validation is a FAIL line and the other checks still run,
 * each naming its own problem. Runs on the caller's thread; holds nothing between runs.
 */
public final class Doctor {
  /** How long ZooKeeper is waited for. */
  public static final Duration ZOOKEEPER_WAIT = Duration.ofSeconds(5);

  private final HostProbe host;
  private final Duration zookeeperWait;
  private final Clock clock;

  public Doctor(HostProbe host, Duration zookeeperWait, Clock clock) {
    this.host = host;
    this.zookeeperWait = zookeeperWait;
    this.clock = clock;
  }

  /** The real host, waiting {@link #ZOOKEEPER_WAIT} for ZooKeeper. */
  public static Doctor system() {
    return new Doctor(HostProbe.system(), ZOOKEEPER_WAIT, Clock.systemUTC());
  }

  /** Every check's lines for the agent configured in {@code configFile}. */
  public List<Finding> examine(Path configFile) {
    AgentConfig config;
    try {
      config = ConfigLoader.readUnchecked(configFile);
    } catch (ConfigException e) {
      return List.of(Finding.fail("config", configFile.toString(), e.getMessage()));
    }
    List<Finding> out = new ArrayList<>();
    try {
      ConfigLoader.validate(configFile.toString(), config);
      out.add(Finding.ok("config", configFile.toString(), "loads and validates (agent " + config.agentId()
          + ", cluster " + config.cluster() + ")"));
    } catch (ConfigException e) {
      out.add(Finding.fail("config", configFile.toString(), e.getMessage()));
    }
    out.addAll(new VolumeChecks(host).check(config));
    out.addAll(new WriterChecks(host).check(config));
    out.addAll(new ExportChecks(host).check(config, configFile));
    out.addAll(new StorageChecks(host).check(config));
    out.addAll(new TlsChecks(clock).check(config));
    out.addAll(new ZooKeeperChecks(zookeeperWait, clock).check(config));
    return out;
  }

  /** Whether any line failed. */
  public static boolean failed(List<Finding> findings) {
    return findings.stream().anyMatch(f -> f.verdict() == Finding.Verdict.FAIL);
  }
}
