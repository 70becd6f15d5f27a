package io.groupsnap.devkit.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

/**
 * A single ZooKeeper server inside this process, for dev mode and demos only (production runs an ensemble). Listens on
 * loopback; keeps its data under {@code dataDir} so a restarted dev cluster finds its catalog again.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
  private final ZooKeeperServerEmbedded server;
  private final String connectString;

  private EmbeddedZooKeeper(ZooKeeperServerEmbedded server, String connectString) {
    this.server = server;
    this.connectString = connectString;
  }

  /** Starts a server on a free loopback port and waits for it to serve. */
  public static EmbeddedZooKeeper start(Path dataDir) throws Exception {
    Files.createDirectories(dataDir);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Properties p = new Properties();
    p.setProperty("clientPort", Integer.toString(port));
    p.setProperty("clientPortAddress", "127.0.0.1");
    p.setProperty("dataDir", dataDir.resolve("data").toString());
    p.setProperty("tickTime", "500");
    p.setProperty("initLimit", "10");
    p.setProperty("syncLimit", "5");
    p.setProperty("admin.enableServer", "false");
    p.setProperty("4lw.commands.whitelist", "srvr,ruok");
    ZooKeeperServerEmbedded zk = ZooKeeperServerEmbedded.builder().baseDir(dataDir).configuration(p)
        .exitHandler(ExitHandler.LOG_ONLY).build();
    zk.start(30_000);
    return new EmbeddedZooKeeper(zk, "127.0.0.1:" + port);
  }

  public String connectString() {
    return connectString;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
