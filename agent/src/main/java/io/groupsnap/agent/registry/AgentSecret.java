package io.groupsnap.agent.registry;

import io.groupsnap.common.zkauth.CredentialsFileException;
import io.groupsnap.common.zkauth.SecretFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The agent's own ZooKeeper secret, the password of its digest user {@code agent.<agentId>}: made at its first start
 * (256 random bits) and kept in its state directory, mode 0600, so that only this agent can change its registration.
 * A state directory made anew gives a new secret, which is fine: the registration lives no longer than a session.
 */
public final class AgentSecret {
  public static final String FILE = "zookeeper-secret";
  private static final SecureRandom RANDOM = new SecureRandom();

  private AgentSecret() {}

  /** The secret kept in {@code stateDir}, made there first when there is none. */
  public static String loadOrCreate(Path stateDir) throws CredentialsFileException {
    Path file = stateDir.resolve(FILE);
    try {
      byte[] bits = new byte[32];
      RANDOM.nextBytes(bits);
      SecretFiles.create(file, Base64.getUrlEncoder().withoutPadding().encodeToString(bits) + "\n");
    } catch (FileAlreadyExistsException kept) {
      // made at an earlier start: read below
    } catch (IOException e) {
      throw new CredentialsFileException(file + ": cannot create the agent's ZooKeeper secret: "
          + e.getClass().getSimpleName());
    }
    String secret = SecretFiles.read(file).strip();
    if (secret.isEmpty() || secret.contains("\n")) {
      throw new CredentialsFileException(file + ": not one line holding the agent's ZooKeeper secret (delete it to "
          + "make a new one)");
    }
    return secret;
  }
}
