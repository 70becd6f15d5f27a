package io.groupsnap.it.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One simulated application host: a namespace running an agent and its application ({@link WorkloadProcess}), which
 * takes part as an {@code exec} writer through the harness's hook script (freezes, and stops and starts again around
 * an in-place restore). Its files live in one directory:
 * {@code data/} (the volume), {@code snapshots/} (the agent's snapshot root), {@code state/}, {@code holds.log} (the
 * workload's {@link HoldsFile}), {@code agent.yaml} and the two processes' logs. The agent speaks mutual TLS with the
 * certificate of its id and authenticates to ZooKeeper ({@link ClusterSecurity}).
 */
public final class AgentHost {
  public static final int AGENT_PORT = 7400;
  public static final String VOLUME = "data";

  private final int index;
  private final Netns host;
  private final Path dir;
  private final ManagedProcess agent;
  private final ManagedProcess workload;
  private final HostVolume volume;

  private AgentHost(int index, Netns host, Path dir, ManagedProcess agent, ManagedProcess workload,
      HostVolume volume) {
    this.volume = volume;
    this.index = index;
    this.host = host;
    this.dir = dir;
    this.agent = agent;
    this.workload = workload;
  }

  /**
   * Writes the host's configuration and prepares (does not start) its processes.
   *
   * @param hosts every agent host's namespace by index, for the ledger's peers
   * @param security the cluster's credentials: this agent's certificate and ZooKeeper credentials
   */
  static AgentHost create(int index, Map<Integer, Netns> hosts, Path clusterDir, Path hook, Path logback,
      String cluster, String zookeeper, java.util.function.BiFunction<Integer, Path, HostVolume> volumes,
      ClusterSecurity security, boolean exports) throws IOException {
    Netns ns = hosts.get(index);
    String id = WorkloadNode.name(index);
    Path dir = clusterDir.resolve(id).toAbsolutePath();
    Files.createDirectories(dir);
    HostVolume volume = volumes == null ? HostVolume.dir(dir) : volumes.apply(index, dir);
    Files.createDirectories(volume.path());
    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, agentYaml(id, ns, dir, hook, cluster, zookeeper, volume, security, exports));
    ManagedProcess agent = new ManagedProcess(id, ns, ChildJvm.command(logback,
        List.of("-Dgroupsnap.failpoints.file=" + dir.getParent().resolve(id + ".failpoints")),
        "io.groupsnap.cli.Groupsnap", List.of("agent", "--config", config.toString())), Map.of(),
        dir.resolve("agent.log"));
    String peers = hosts.entrySet().stream().map(e -> e.getKey() + "@" + e.getValue().address())
        .collect(Collectors.joining(","));
    ManagedProcess workload = new ManagedProcess("workload-" + index, ns, ChildJvm.command(logback, List.of(),
        WorkloadProcess.class.getName(), List.of("index=" + index, "hosts=" + peers,
            "volume=" + volume.path(), "holds=" + dir.resolve("holds.log"))), Map.of(),
        dir.resolve("workload.log"));
    return new AgentHost(index, ns, dir, agent, workload, volume);
  }

  /** The agent's configuration, written by a YAML serializer so that no path or name is ever spliced into text. */
  private static String agentYaml(String id, Netns ns, Path dir, Path hook, String cluster, String zookeeper,
      HostVolume hostVolume, ClusterSecurity security, boolean exports) throws IOException {
    List<String> hookArgv = List.of(hook.toString(), Integer.toString(WorkloadNode.CONTROL_PORT));
    Map<String, Object> writer = new LinkedHashMap<>();
    writer.put("name", "workload");
    writer.put("kind", "exec");
    writer.put("prepare", hookArgv);
    writer.put("freeze", hookArgv);
    writer.put("thaw", hookArgv);
    writer.put("abort", hookArgv);
    writer.put("preRestore", hookArgv);
    writer.put("postRestore", hookArgv);
    writer.put("timeout", "8s");
    Map<String, Object> volume = new LinkedHashMap<>();
    volume.put("name", VOLUME);
    volume.put("kind", hostVolume.kind());
    volume.put("path", hostVolume.path().toString());
    if (!hostVolume.options().isEmpty()) {
      volume.put("options", hostVolume.options());
    }
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("agentId", id);
    cfg.put("cluster", cluster);
    cfg.put("listen", ns.address() + ":" + AGENT_PORT);
    cfg.put("zookeeper", zookeeper);
    cfg.put("snapshotRoot", dir.resolve("snapshots").toString());
    cfg.put("stateDir", dir.resolve("state").toString());
    cfg.put("maxFreezeLease", "60s");
    cfg.put("reaperInterval", "2s");
    cfg.put("reaperGrace", "70s");
    cfg.put("labels", Map.of("harness", "multihost"));
    cfg.put("volumes", List.of(volume));
    cfg.put("writers", List.of(writer));
    cfg.putAll(security.agentConfig(id)); // tls and zookeeperAuth (insecure: true only when the test asked)
    if (exports) {
      Path password = dir.resolve("restic.pass");
      Files.writeString(password, "harness-" + id + "\n");
      Files.setPosixFilePermissions(password, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      Map<String, Object> target = new LinkedHashMap<>();
      target.put("name", EXPORT_TARGET);
      target.put("kind", "restic");
      target.put("repository", dir.resolve(RESTIC_REPOSITORY).toString());
      target.put("passwordFile", password.toString());
      target.put("createIfMissing", true);
      cfg.put("exports", List.of(target));
    }
    return new ObjectMapper(new YAMLFactory()).writeValueAsString(cfg);
  }

  /** The export target every agent of a cluster built with {@code exports()} has. */
  public static final String EXPORT_TARGET = "offsite";
  static final String RESTIC_REPOSITORY = "restic-repo";

  /** This host's restic repository (exports() clusters), and its password file beside it. */
  public Path resticRepository() {
    return dir.resolve(RESTIC_REPOSITORY);
  }

  public Path resticPasswordFile() {
    return dir.resolve("restic.pass");
  }

  public int index() {
    return index;
  }

  /** The agent id, {@code agent-<index>}. */
  public String id() {
    return WorkloadNode.name(index);
  }

  public Netns host() {
    return host;
  }

  public ManagedProcess agent() {
    return agent;
  }

  public ManagedProcess workload() {
    return workload;
  }

  public Path dir() {
    return dir;
  }

  public Path volume() {
    return volume.path();
  }

  /** The volume's kind, path and capture directory. */
  public HostVolume volumeSpec() {
    return volume;
  }

  /** Where the agent puts this volume's captures (for a {@code dir} volume {@code <snapshotRoot>/data/<id>}). */
  public Path captures() {
    return volume.captureDir();
  }

  public HoldsFile holds() {
    return new HoldsFile(dir.resolve("holds.log"));
  }

  /** The workload's counters (updates, debits, acked, credits, pending, holds), asked over its peer port. */
  public Map<String, String> workloadStats() throws IOException {
    String line = ask("stats");
    Map<String, String> out = new LinkedHashMap<>();
    for (String kv : line.split(" ")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        out.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return out;
  }

  /** Fault: the application answers every freeze {@code delay} after it started holding (zero: at once). */
  public void slowFreeze(java.time.Duration delay) throws IOException {
    String answer = ask("slow-freeze " + delay.toMillis());
    if (!answer.equals("ok")) {
      throw new IOException("workload " + index + " refused slow-freeze: " + answer);
    }
  }

  /** Fault: the application fails its next thaw (it releases, but reports that it could not vouch for the hold). */
  public void failNextThaw() throws IOException {
    String answer = ask("fail-thaw");
    if (!answer.equals("ok")) {
      throw new IOException("workload " + index + " refused fail-thaw: " + answer);
    }
  }

  /** True when the workload answers on its peer port (from the root namespace). */
  public boolean workloadReady() {
    try {
      return ask("ping").equals("ok");
    } catch (IOException e) {
      return false;
    }
  }

  private String ask(String command) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host.address(), WorkloadNode.PEER_PORT), 500);
      s.setSoTimeout(2_000);
      Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
      out.write(command + "\n");
      out.flush();
      String answer = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
      if (answer == null) {
        throw new IOException("workload " + index + " closed the connection");
      }
      return answer;
    }
  }

  /** The output of the agent's exec-writer hook runs: one timestamped line per phase and transaction. */
  public Path writerLog() {
    return dir.resolve("state").resolve("writers").resolve("workload.log");
  }

  /** Capture directories present on disk, including {@code .partial} leftovers. */
  public List<Path> captureDirs() throws IOException {
    List<Path> out = new ArrayList<>();
    if (Files.isDirectory(captures())) {
      try (var entries = Files.list(captures())) {
        entries.sorted().forEach(out::add);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return id() + " " + host;
  }
}
