package io.groupsnap.agent.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.export.ExportTargetConfig;
import io.groupsnap.agent.export.ExportsConfig;
import io.groupsnap.agent.hub.SocketAccess;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.kinds.WriterKind;
import io.groupsnap.common.Durations;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.Names;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.tls.TlsFiles;
import io.groupsnap.common.tls.TransportSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads an agent's YAML configuration and validates it completely before anything starts.
 *
 * <p>Every error is one line naming the file, the field (as a path like {@code volumes[1].path}) and what is wrong.
 * Unknown fields are errors too: a misspelt option silently ignored is how a volume ends up never captured.
 */
public final class ConfigLoader extends FieldReader {
  static final Set<String> TOP_FIELDS = Set.of("agentId", "cluster", "listen", "advertise", "zookeeper",
      "zookeeperSessionTimeout", "snapshotRoot", "stateDir", "maxFreezeLease", "labels", "volumes", "writers",
      "reaperInterval", "reaperGrace", "volumeRoots", "checksumCaptures", "zookeeperAuth", "writerHub", "tls",
      "insecure", "metrics", "exports", "exportConcurrency", "restoreRoots");
  static final Set<String> METRICS_FIELDS = Set.of("listen");
  static final Set<String> TLS_FIELDS = Set.of("ca", "cert", "key", "reloadEvery");
  static final Set<String> VOLUME_FIELDS = Set.of("name", "kind", "path", "options", "verify", "verifyTimeout");
  /** The fields every writer has; a kind may take more ({@link WriterKind#commandFields()}). */
  static final Set<String> WRITER_FIELDS = Set.of("name", "kind", "tier", "volumes", "timeout", "options");
  public static final Duration DEFAULT_MAX_LEASE = Duration.ofSeconds(60);
  public static final Duration DEFAULT_WRITER_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_REAPER_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_REAPER_GRACE = Duration.ofMinutes(5);

  /** The longest parser message shown; a problem can quote the offending input. */
  private static final int MAX_PROBLEM = 160;
  /** Duplicate keys are errors: with two {@code snapshotRoot:} lines, which one was meant? */
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
  private ConfigLoader(String source) {
    super(source);
  }

  /** Loads and validates the file. */
  public static AgentConfig load(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
    return parse(file.toString(), text);
  }

  /**
   * Reads the file's fields without the cross-field and host checks of {@link #validate}: for a diagnosis that goes on
   * to check the host piece by piece ({@code groupsnap doctor}). An agent never starts from this.
   */
  public static AgentConfig readUnchecked(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ConfigException(file + ": " + yamlProblem(e));
    }
    ConfigLoader loader = new ConfigLoader(file.toString());
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw loader.error("", "the file is empty");
    }
    return loader.read(root);
  }

  /**
   * The checks validation makes of one export target on this host (password file, tools, commands), as one line
   * naming {@code source} and the field.
   */
  public static void checkExportTarget(String source, ExportTargetConfig target, CommandRunner tools)
      throws ConfigException {
    ExportsReader.check(source, new ExportsConfig(List.of(target), 1), tools);
  }

  /** Parses and validates YAML text; {@code source} names it in errors. */
  public static AgentConfig parse(String source, String yaml) throws ConfigException {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new ConfigException(source + ": " + yamlProblem(e));
    }
    ConfigLoader loader = new ConfigLoader(source);
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw loader.error("", "the file is empty");
    }
    AgentConfig config = loader.read(root);
    validate(source, config);
    return config;
  }

  /**
   * "line L, column C: not valid YAML: PROBLEM" on one line: where the parser found the problem and its short
   * description, without the parser's multi-line excerpt of the file.
   */
  private static String yamlProblem(JsonProcessingException e) {
    String problem = e.getOriginalMessage();
    String where = e.getLocation() == null ? ""
        : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": ";
    if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null && m.getProblem() != null) {
      problem = m.getProblem();
      where = "line " + (m.getProblemMark().getLine() + 1) + ", column " + (m.getProblemMark().getColumn() + 1) + ": ";
    }
    StringBuilder out = new StringBuilder(where).append("not valid YAML: ");
    String p = String.valueOf(problem).strip();
    for (int i = 0; i < p.length() && i < MAX_PROBLEM; i++) {
      out.append(Character.isISOControl(p.charAt(i)) ? '?' : p.charAt(i));
    }
    return p.length() > MAX_PROBLEM ? out.append("...").toString() : out.toString();
  }

  /**
   * Cross-field and file-system checks, for configs built in code too; reads the file system, changes nothing.
   *
   * @return every volume and writer with the options its kind read
   */
  public static KindSetups validate(String source, AgentConfig config) throws ConfigException {
    return validate(source, config, List.of());
  }

  /**
   * As {@link #validate(String, AgentConfig)}, for an agent that also has writers living in its process.
   *
   * @param inProcessWriters the volumes of each such writer (an empty set: every volume); they hold volumes as
   *     configured writers do
   */
  public static KindSetups validate(String source, AgentConfig config, List<Set<String>> inProcessWriters)
      throws ConfigException {
    return new ConfigValidator(source).validate(config, inProcessWriters);
  }

  private AgentConfig read(JsonNode root) throws ConfigException {
    requireObject("", root);
    checkFields("", root, TOP_FIELDS);
    String agentId = root.has("agentId") ? name("agentId", root.get("agentId")) : defaultAgentId();
    String cluster = root.has("cluster") ? name("cluster", root.get("cluster")) : "default";
    HostPort listen = root.has("listen") ? endpoint("listen", root.get("listen")) : new HostPort("0.0.0.0", 7400);
    HostPort advertise = root.has("advertise") ? endpoint("advertise", root.get("advertise")) : null;
    String zookeeper = root.has("zookeeper") ? text("zookeeper", root.get("zookeeper")) : "127.0.0.1:2181";
    Path snapshotRoot = absolutePath("snapshotRoot", required(root, "snapshotRoot", ""));
    Path stateDir = root.has("stateDir") ? absolutePath("stateDir", root.get("stateDir"))
        : snapshotRoot.resolve(".groupsnap-state");
    Duration maxLease = root.has("maxFreezeLease") ? duration("maxFreezeLease", root.get("maxFreezeLease"))
        : DEFAULT_MAX_LEASE;
    Map<String, String> labels = new LinkedHashMap<>();
    if (root.has("labels")) {
      JsonNode l = root.get("labels");
      requireObject("labels", l);
      for (Iterator<Map.Entry<String, JsonNode>> it = l.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        labels.put(labelKey(e.getKey()), text("labels." + e.getKey(), e.getValue()));
      }
    }
    EntriesReader entries = new EntriesReader(source);
    List<VolumeConfig> volumes = new ArrayList<>();
    JsonNode vs = required(root, "volumes", "");
    requireArray("volumes", vs);
    if (vs.isEmpty()) {
      throw error("volumes", "at least one volume is required");
    }
    for (int i = 0; i < vs.size(); i++) {
      volumes.add(entries.volume("volumes[" + i + "]", vs.get(i)));
    }
    List<WriterConfig> writers = new ArrayList<>();
    if (root.has("writers")) {
      JsonNode ws = root.get("writers");
      requireArray("writers", ws);
      for (int i = 0; i < ws.size(); i++) {
        writers.add(entries.writer("writers[" + i + "]", ws.get(i)));
      }
    }
    Duration reaperInterval = root.has("reaperInterval") ? duration("reaperInterval", root.get("reaperInterval"))
        : DEFAULT_REAPER_INTERVAL;
    Duration reaperGrace = root.has("reaperGrace") ? duration("reaperGrace", root.get("reaperGrace"))
        : DEFAULT_REAPER_GRACE;
    if (reaperGrace.compareTo(maxLease) <= 0) {
      throw error("reaperGrace", "must be longer than maxFreezeLease (" + maxLease.toSeconds() + "s)");
    }
    List<Path> volumeRoots = new ArrayList<>();
    if (root.has("volumeRoots")) {
      JsonNode rs = root.get("volumeRoots");
      requireArray("volumeRoots", rs);
      for (int i = 0; i < rs.size(); i++) {
        Path r = absolutePath("volumeRoots[" + i + "]", rs.get(i));
        try {
          volumeRoots.add(r.toRealPath());
        } catch (IOException e) {
          throw error("volumeRoots[" + i + "]", r + " does not exist");
        }
      }
    }
    boolean checksumCaptures = root.has("checksumCaptures") && bool("checksumCaptures", root.get("checksumCaptures"));
    Duration session = root.has("zookeeperSessionTimeout")
        ? duration("zookeeperSessionTimeout", root.get("zookeeperSessionTimeout")) : ZkClients.SESSION_TIMEOUT;
    boolean insecure = root.has("insecure") && bool("insecure", root.get("insecure"));
    TlsFiles tls = root.has("tls") ? tls(root.get("tls"), insecure) : null;
    Duration tlsReloadEvery = tls != null && root.get("tls").has("reloadEvery")
        ? reloadEvery(root.get("tls").get("reloadEvery")) : TransportSettings.RELOAD_EVERY;
    Path zookeeperAuth = root.has("zookeeperAuth") ? absolutePath("zookeeperAuth", root.get("zookeeperAuth")) : null;
    SocketAccess writerHub = root.has("writerHub") ? writerHub("writerHub", root.get("writerHub"))
        : SocketAccess.DEFAULT;
    HostPort metricsListen = root.has("metrics") ? metricsListen(root.get("metrics")) : null;
    List<Path> restoreRoots = new ArrayList<>();
    if (root.has("restoreRoots")) {
      JsonNode rs = root.get("restoreRoots");
      requireArray("restoreRoots", rs);
      for (int i = 0; i < rs.size(); i++) {
        restoreRoots.add(absolutePath("restoreRoots[" + i + "]", rs.get(i)).normalize());
      }
    }
    return new AgentConfig(agentId, cluster, listen, advertise, zookeeper, snapshotRoot, stateDir, maxLease, labels,
        volumes, writers, reaperInterval, reaperGrace, volumeRoots, checksumCaptures, session, zookeeperAuth,
        writerHub, tls, insecure, tlsReloadEvery, metricsListen, new ExportsReader(source).read(root),
        restoreRoots);
  }

  /** {@code metrics: {listen: HOST:PORT}}; {@code listen: none} (or no listen) serves none. */
  private HostPort metricsListen(JsonNode n) throws ConfigException {
    requireObject("metrics", n);
    checkFields("metrics", n, METRICS_FIELDS);
    if (!n.has("listen") || (n.get("listen").isTextual() && n.get("listen").asText().equals("none"))) {
      return null;
    }
    return endpoint("metrics.listen", n.get("listen"));
  }

  /** {@code tls.reloadEvery}: at least a second (the files are hashed on every look). */
  private Duration reloadEvery(JsonNode n) throws ConfigException {
    Duration d = duration("tls.reloadEvery", n);
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      throw error("tls.reloadEvery", "must be at least 1s, got " + Durations.format(d));
    }
    return d;
  }

  /** {@code writerHub: {socketMode: "0660", socketGroup: NAME}}; the group must exist on this host. */
  private SocketAccess writerHub(String f, JsonNode n) throws ConfigException {
    requireObject(f, n);
    checkFields(f, n, Set.of("socketMode", "socketGroup"));
    Set<PosixFilePermission> mode = SocketAccess.DEFAULT.mode();
    if (n.has("socketMode")) {
      if (n.get("socketMode").isNumber()) {
        throw error(f + ".socketMode", "write the mode as a quoted octal string, e.g. \"0660\"");
      }
      try {
        mode = SocketAccess.parseMode(text(f + ".socketMode", n.get("socketMode")));
      } catch (IllegalArgumentException e) {
        throw error(f + ".socketMode", e.getMessage());
      }
    }
    Optional<String> group = Optional.empty();
    if (n.has("socketGroup")) {
      try {
        group = Optional.of(text(f + ".socketGroup", n.get("socketGroup")));
        SocketAccess.requireGroup(group.get());
      } catch (IllegalArgumentException e) {
        throw error(f + ".socketGroup", e.getMessage());
      }
    }
    return new SocketAccess(mode, group);
  }

  /**
   * {@code tls: {ca, cert, key, reloadEvery}}, the three files absolute paths (checked themselves by the validator).
   */
  private TlsFiles tls(JsonNode n, boolean insecure) throws ConfigException {
    if (insecure) {
      throw error("tls", ConfigValidator.TLS_AND_INSECURE);
    }
    requireObject("tls", n);
    checkFields("tls", n, TLS_FIELDS);
    Path[] files = new Path[3];
    String[] names = {"ca", "cert", "key"};
    for (int i = 0; i < 3; i++) {
      JsonNode f = n.get(names[i]);
      if (f == null || f.isNull()) {
        throw error("tls." + names[i], ConfigValidator.TLS_REQUIRED);
      }
      files[i] = absolutePath("tls." + names[i], f);
    }
    return new TlsFiles(files[0], files[1], files[2]);
  }

  private static String defaultAgentId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = System.getenv().getOrDefault("HOSTNAME", "agent");
    }
    int dot = host.indexOf('.');
    String shortName = dot > 0 ? host.substring(0, dot) : host;
    return Names.isValid(shortName) ? shortName : "agent";
  }
}
