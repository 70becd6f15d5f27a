package io.groupsnap.cli.support;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where the coordinator is: {@code --coordinator}, else {@code GROUPSNAP_COORDINATOR}, else the leader found through
 * {@code --zookeeper} / {@code GROUPSNAP_ZOOKEEPER}; and how to reach it ({@link TlsOptions}).
 */
public final class Target {
  @Mixin TlsOptions tls;

  @Option(names = "--coordinator", paramLabel = "HOST:PORT",
      description = "Coordinator to ask (default: $GROUPSNAP_COORDINATOR, else the leader found via ZooKeeper).")
  String coordinator;

  @Option(names = "--zookeeper", paramLabel = "CONNECT",
      description = "ZooKeeper connect string to find the leader (default: $GROUPSNAP_ZOOKEEPER).")
  String zookeeper;

  @Option(names = "--zookeeper-auth", paramLabel = "FILE",
      description = "ZooKeeper credentials to read the leader with, mode 0600/0400 (default: "
          + "$GROUPSNAP_ZOOKEEPER_AUTH); the agents' file suffices.")
  String zookeeperAuth;

  @Option(names = "--cluster", paramLabel = "NAME",
      description = "Cluster name (default: $GROUPSNAP_CLUSTER, else 'default').")
  String cluster;

  /** How to reach the coordinator: TLS credentials or plaintext. */
  public TlsOptions tls() {
    return tls;
  }

  /** Whether a coordinator or a ZooKeeper was given at all (flag or environment). */
  public boolean given() {
    return coordinator() != null || zookeeper() != null;
  }

  String coordinator() {
    return firstNonBlank(coordinator, System.getenv("GROUPSNAP_COORDINATOR"));
  }

  String zookeeper() {
    return firstNonBlank(zookeeper, System.getenv("GROUPSNAP_ZOOKEEPER"));
  }

  /** The ZooKeeper credential file, or null: read anonymously. */
  String zookeeperAuth() {
    return firstNonBlank(zookeeperAuth, System.getenv("GROUPSNAP_ZOOKEEPER_AUTH"));
  }

  String cluster() {
    String c = firstNonBlank(cluster, System.getenv("GROUPSNAP_CLUSTER"));
    return c == null ? "default" : c;
  }

  private static String firstNonBlank(String a, String b) {
    if (a != null && !a.isBlank()) {
      return a.trim();
    }
    return b != null && !b.isBlank() ? b.trim() : null;
  }
}
