package io.groupsnap.it.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated LAN for one cluster: a Linux bridge in the root namespace holding {@code 198.18.K.1/24} and one network
 * namespace per host, attached by a veth pair. {@link #cutOff} takes a host's root-side veth down (its packets are
 * dropped, connections hang as in a real partition); {@link #heal} brings it back.
 *
 * <p>Every name starts with this cluster's tag {@code gs<pid><letter>} (the pid of this JVM), so that leftovers of a
 * crashed run can be recognised: {@link #create()} first removes every namespace, process and link whose tag names a
 * JVM that no longer runs. {@link #close()} removes everything this network created; it is idempotent and safe to call
 * from a shutdown hook. Interface names stay within the kernel's 15 characters. Needs root.
 *
 * <p>Thread-safe: every method is synchronized.
 */
public final class Network implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Network.class);
  private static final Pattern OURS = Pattern.compile("^gs(\\d+)[a-z](?:br|v\\d+|p\\d+|-.+)$");
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final Object SUBNETS = new Object();

  private final String tag;
  private final String subnet;
  private final String bridge;
  private final Map<String, Netns> hosts = new LinkedHashMap<>();
  private final Set<String> cut = new HashSet<>();
  private int nextVeth = 1;
  private boolean closed;

  private Network(String tag, String subnet) {
    this.tag = tag;
    this.subnet = subnet;
    this.bridge = tag + "br";
  }

  /** Removes stale leftovers, then creates the bridge on a free /24 of 198.18.0.0/15. */
  public static Network create() {
    removeStale();
    String tag = "gs" + ProcessHandle.current().pid() + (char) ('a' + SEQUENCE.getAndIncrement() % 26);
    synchronized (SUBNETS) {
      String subnet = freeSubnet();
      Network n = new Network(tag, subnet);
      try {
        Commands.check("ip", "link", "add", n.bridge, "type", "bridge");
        Commands.check("ip", "addr", "add", subnet + ".1/24", "dev", n.bridge);
        Commands.check("ip", "link", "set", n.bridge, "up");
      } catch (RuntimeException e) {
        n.close();
        throw e;
      }
      log.info("network {}: bridge {} on {}.0/24", tag, n.bridge, subnet);
      return n;
    }
  }

  /** This network's name prefix, {@code gs<pid><letter>}. */
  public String tag() {
    return tag;
  }

  /** The bridge's own address (the root namespace, where the test runs). */
  public String gateway() {
    return subnet + ".1";
  }

  /**
   * Creates a host namespace with address {@code 198.18.K.lastOctet}, loopback up.
   *
   * @param hostName a short name ({@code [a-z0-9-]}), unique in this network
   */
  public synchronized Netns addHost(String hostName, int lastOctet) {
    if (closed) {
      throw new IllegalStateException("network " + tag + " is closed");
    }
    if (!hostName.matches("[a-z0-9-]{1,40}") || hosts.containsKey(hostName)) {
      throw new IllegalArgumentException("bad or duplicate host name '" + hostName + "'");
    }
    if (lastOctet < 2 || lastOctet > 254) {
      throw new IllegalArgumentException("last octet " + lastOctet + " is outside 2..254");
    }
    int v = nextVeth++;
    Netns ns = new Netns(hostName, tag + "-" + hostName, subnet + "." + lastOctet, tag + "v" + v, tag + "p" + v);
    hosts.put(hostName, ns);
    Commands.check("ip", "netns", "add", ns.name());
    Commands.check("ip", "link", "add", ns.rootVeth(), "type", "veth", "peer", "name", ns.peerVeth());
    Commands.check("ip", "link", "set", ns.peerVeth(), "netns", ns.name());
    Commands.check("ip", "link", "set", ns.rootVeth(), "master", bridge, "up");
    Commands.check("ip", "-n", ns.name(), "addr", "add", ns.address() + "/24", "dev", ns.peerVeth());
    Commands.check("ip", "-n", ns.name(), "link", "set", ns.peerVeth(), "up");
    Commands.check("ip", "-n", ns.name(), "link", "set", "lo", "up");
    return ns;
  }

  public synchronized Netns host(String hostName) {
    Netns ns = hosts.get(hostName);
    if (ns == null) {
      throw new IllegalArgumentException("no host '" + hostName + "' (have " + hosts.keySet() + ")");
    }
    return ns;
  }

  public synchronized List<Netns> hosts() {
    return List.copyOf(hosts.values());
  }

  /** Cuts the host off the bridge: nothing reaches it, nothing leaves it (its processes keep running). */
  public synchronized void cutOff(Netns ns) {
    Commands.check("ip", "link", "set", host(ns.hostName()).rootVeth(), "down");
    cut.add(ns.hostName());
  }

  /** Reconnects a host that was cut off. */
  public synchronized void heal(Netns ns) {
    Commands.check("ip", "link", "set", host(ns.hostName()).rootVeth(), "up");
    cut.remove(ns.hostName());
  }

  public synchronized boolean isCutOff(Netns ns) {
    return cut.contains(ns.hostName());
  }

  /** One line per host with its link state, for failure reports. */
  public synchronized String describe() {
    StringBuilder b = new StringBuilder("network " + tag + " (" + subnet + ".0/24, bridge " + bridge + ")\n");
    for (Netns ns : hosts.values()) {
      b.append("  ").append(ns).append(cut.contains(ns.hostName()) ? " CUT OFF" : " connected").append('\n');
    }
    return b.toString();
  }

  /**
   * Deletes every namespace, veth and the bridge of this network. Processes must have been stopped before; any that
   * still run inside a namespace are killed by pid. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<String> problems = new ArrayList<>();
    for (Netns ns : hosts.values()) {
      deleteNamespace(ns.name(), problems);
      deleteLink(ns.rootVeth(), problems);
    }
    deleteLink(bridge, problems);
    List<String> left = new ArrayList<>();
    try {
      Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
          .until(() -> leftovers(left).isEmpty());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      problems.add("still present after teardown: " + left);
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("network " + tag + " teardown: " + String.join("; ", problems));
    }
  }

  private List<String> leftovers(List<String> into) {
    into.clear();
    for (String link : links()) {
      if (link.startsWith(tag)) {
        into.add(link);
      }
    }
    for (String ns : namespaces()) {
      if (ns.startsWith(tag + "-")) {
        into.add(ns);
      }
    }
    return into;
  }

  // ---- stale leftovers of crashed runs ----

  /** Removes namespaces, their processes and links whose tag names a JVM that is no longer running. */
  static void removeStale() {
    List<String> problems = new ArrayList<>();
    for (String ns : namespaces()) {
      if (isStale(ns)) {
        log.warn("removing stale namespace {} of a crashed run", ns);
        deleteNamespace(ns, problems);
      }
    }
    for (String link : links()) {
      if (isStale(link)) {
        log.warn("removing stale link {} of a crashed run", link);
        deleteLink(link, problems);
      }
    }
    if (!problems.isEmpty()) {
      log.warn("stale cleanup: {}", problems);
    }
  }

  private static boolean isStale(String name) {
    Matcher m = OURS.matcher(name);
    return m.matches() && !Files.exists(Path.of("/proc", m.group(1)));
  }

  private static void deleteNamespace(String ns, List<String> problems) {
    Commands.Result pids = Commands.run("ip", "netns", "pids", ns);
    if (pids.ok()) {
      for (String pid : pids.output().strip().split("\\s+")) {
        if (pid.matches("\\d+")) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
    }
    Commands.Result r = Commands.run("ip", "netns", "delete", ns);
    if (!r.ok() && namespaces().contains(ns)) {
      problems.add(r.toString());
    }
  }

  private static void deleteLink(String link, List<String> problems) {
    Commands.Result r = Commands.run("ip", "link", "delete", link);
    if (!r.ok() && links().contains(link)) {
      problems.add(r.toString());
    }
  }

  static List<String> namespaces() {
    Commands.Result r = Commands.run("ip", "netns", "list");
    List<String> out = new ArrayList<>();
    for (String line : r.output().split("\n")) {
      String name = line.strip().split("\\s+")[0];
      if (!name.isEmpty()) {
        out.add(name);
      }
    }
    return out;
  }

  static List<String> links() {
    Commands.Result r = Commands.run("ip", "-o", "link", "show");
    List<String> out = new ArrayList<>();
    for (String line : r.output().split("\n")) {
      String[] f = line.split(":\\s+", 3);
      if (f.length >= 2) {
        int at = f[1].indexOf('@');
        out.add(at < 0 ? f[1] : f[1].substring(0, at));
      }
    }
    return out;
  }

  /** A third octet K such that no interface of the root namespace has an address in 198.18.K.0/24. */
  private static String freeSubnet() {
    String addrs = Commands.check("ip", "-o", "-4", "addr", "show");
    Set<Integer> used = new HashSet<>();
    Matcher m = Pattern.compile("inet 198\\.18\\.(\\d+)\\.").matcher(addrs);
    while (m.find()) {
      used.add(Integer.parseInt(m.group(1)));
    }
    int start = (int) (ProcessHandle.current().pid() % 200);
    for (int i = 0; i < 254; i++) {
      int k = 1 + (start + i) % 254;
      if (!used.contains(k)) {
        return "198.18." + k;
      }
    }
    throw new IllegalStateException("no free /24 left in 198.18.0.0/16");
  }
}
