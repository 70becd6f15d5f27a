package io.groupsnap.devkit.cluster;

import io.groupsnap.common.zkauth.CredentialsFileException;
import io.groupsnap.common.zkauth.SecretFiles;
import io.groupsnap.common.zkauth.ZkCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The ZooKeeper credential files of a dev cluster, made once in its data directory (mode 0600) with random passwords
 * and reused by later runs on the same data, whose nodes are protected with them: {@value #COORDINATOR_FILE}
 * (coordinator and agents) and {@value #AGENTS_FILE} (agents; what the operator's CLI reads the leader with).
 */
public final class DevCredentials {
  public static final String COORDINATOR_FILE = "zookeeper-coordinator.auth";
  public static final String AGENTS_FILE = "zookeeper-agents.auth";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path coordinatorFile;
  private final Path agentsFile;
  private final ZkCredentials coordinator;

  private DevCredentials(Path coordinatorFile, Path agentsFile, ZkCredentials coordinator) {
    this.coordinatorFile = coordinatorFile;
    this.agentsFile = agentsFile;
    this.coordinator = coordinator;
  }

  /** The credentials kept in {@code dataDir}, made there first when they are not. */
  public static DevCredentials ensure(Path dataDir) throws IOException, CredentialsFileException {
    Path coordinatorFile = dataDir.resolve(COORDINATOR_FILE);
    Path agentsFile = dataDir.resolve(AGENTS_FILE);
    if (!Files.exists(coordinatorFile)) {
      String agents = "agents:" + password() + "\n";
      Files.deleteIfExists(agentsFile);
      SecretFiles.create(agentsFile, agents);
      SecretFiles.create(coordinatorFile, "coordinator:" + password() + "\n" + agents);
    }
    ZkCredentials coordinator = ZkCredentials.load(coordinatorFile).require(ZkCredentials.COORDINATOR,
        "a coordinator").require(ZkCredentials.AGENTS, "a coordinator");
    ZkCredentials.load(agentsFile).require(ZkCredentials.AGENTS, "an agent");
    return new DevCredentials(coordinatorFile, agentsFile, coordinator);
  }

  private static String password() {
    byte[] bits = new byte[24];
    RANDOM.nextBytes(bits);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
  }

  public Path coordinatorFile() {
    return coordinatorFile;
  }

  public Path agentsFile() {
    return agentsFile;
  }

  public ZkCredentials coordinator() {
    return coordinator;
  }
}
