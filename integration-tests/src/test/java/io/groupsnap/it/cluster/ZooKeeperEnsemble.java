package io.groupsnap.it.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * A ZooKeeper ensemble of separate {@code QuorumPeerMain} processes, each in its own namespace ({@code zk1..zkN} at
 * {@code .11..}), each with its own data directory and {@code myid}. Quorum is detected with the {@code srvr}
 * four-letter word, never assumed after a delay.
 *
 * <p>Short ticks (500 ms) keep elections fast; the session timeout the groupsnap processes ask for (10 s) is the
 * maximum this allows (20 ticks).
 */
public final class ZooKeeperEnsemble {
  public static final int CLIENT_PORT = 2181;
  private static final int FIRST_OCTET = 11;

  private final List<ManagedProcess> servers;
  private final List<Netns> hosts;

  private ZooKeeperEnsemble(List<ManagedProcess> servers, List<Netns> hosts) {
    this.servers = servers;
    this.hosts = hosts;
  }

  /** Creates the namespaces and configuration files; starts nothing. */
  static ZooKeeperEnsemble create(Network net, Path dir, Path logback, int size) throws IOException {
    if (size < 1 || size > 9) {
      throw new IllegalArgumentException("ensemble size " + size + " is outside 1..9");
    }
    List<Netns> hosts = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      hosts.add(net.addHost("zk" + i, FIRST_OCTET + i - 1));
    }
    List<ManagedProcess> servers = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      Path home = dir.resolve("zk" + i);
      Path data = home.resolve("data");
      Files.createDirectories(data);
      Files.writeString(data.resolve("myid"), i + "\n");
      Path cfg = home.resolve("zoo.cfg");
      Files.writeString(cfg, config(hosts, i, data));
      servers.add(new ManagedProcess("zk" + i, hosts.get(i - 1), ChildJvm.command(logback,
          List.of("-Dgs.zk.level=INFO", "-Dzookeeper.jmx.log4j.disable=true"),
          "org.apache.zookeeper.server.quorum.QuorumPeerMain", List.of(cfg.toString())), Map.of(),
          home.resolve("zk" + i + ".log")));
    }
    return new ZooKeeperEnsemble(servers, hosts);
  }

  private static String config(List<Netns> hosts, int id, Path data) {
    StringBuilder b = new StringBuilder()
        .append("tickTime=500\ninitLimit=20\nsyncLimit=10\n")
        .append("dataDir=").append(data.toAbsolutePath()).append('\n')
        .append("clientPort=").append(CLIENT_PORT).append('\n')
        .append("clientPortAddress=").append(hosts.get(id - 1).address()).append('\n')
        .append("admin.enableServer=false\n4lw.commands.whitelist=srvr,ruok,mntr\n");
    for (int i = 1; i <= hosts.size(); i++) {
      b.append("server.").append(i).append('=').append(hosts.get(i - 1).address()).append(":2888:3888\n");
    }
    return b.toString();
  }

  void start() throws IOException {
    for (ManagedProcess s : servers) {
      s.start();
    }
  }

  /** Waits until every server answers {@code srvr} with a mode and exactly one of them leads. */
  void awaitQuorum(Duration wait) {
    Awaitility.await("ZooKeeper quorum of " + servers.size()).atMost(wait).pollInterval(Duration.ofMillis(200))
        .until(() -> {
          List<String> modes = modes();
          return modes.stream().allMatch(m -> m.equals("leader") || m.equals("follower") || m.equals("standalone"))
              && modes.stream().filter(m -> !m.equals("follower")).count() == 1;
        });
  }

  /** Each server's mode from {@code srvr}: leader, follower, standalone, or why it did not answer. */
  public List<String> modes() {
    return hosts.stream().map(h -> mode(h.address())).toList();
  }

  /** {@code host:2181,...} of every server. */
  public String connectString() {
    return hosts.stream().map(h -> h.address() + ":" + CLIENT_PORT).collect(Collectors.joining(","));
  }

  public List<ManagedProcess> servers() {
    return List.copyOf(servers);
  }

  /** The server that currently leads, if one answers as leader. */
  public java.util.Optional<ManagedProcess> leader() {
    List<String> modes = modes();
    for (int i = 0; i < modes.size(); i++) {
      if (modes.get(i).equals("leader")) {
        return java.util.Optional.of(servers.get(i));
      }
    }
    return java.util.Optional.empty();
  }

  static String mode(String address) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, CLIENT_PORT), 500);
      s.setSoTimeout(1_000);
      OutputStream out = s.getOutputStream();
      out.write("srvr".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      for (String line : answer.split("\n")) {
        if (line.startsWith("Mode: ")) {
          return line.substring(6).trim();
        }
      }
      return "no mode (" + answer.strip().replace('\n', ' ') + ")";
    } catch (IOException e) {
      return "unreachable (" + e.getMessage() + ")";
    }
  }
}
