package io.groupsnap.common.zkauth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.curator.framework.AuthInfo;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * The digest users a process authenticates to ZooKeeper as, read from a credential file of {@code user:password}
 * lines (blank lines and lines starting with {@code #} are ignored) whose mode is 0600 or 0400.
 *
 * <p>Coordinators hold {@value #COORDINATOR} and {@value #AGENTS}; agents hold {@value #AGENTS} (plus their own
 * secret, {@link #plus}); the operator's CLI needs any user that may read. Passwords stay inside this object: they are
 * handed to ZooKeeper and to the digest of an ACL id, and appear in no message and no {@link #toString}. Immutable.
 */
public final class ZkCredentials {
  public static final String COORDINATOR = "coordinator";
  public static final String AGENTS = "agents";
  private static final Pattern USER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private final String source;
  private final Map<String, String> passwords;

  private ZkCredentials(String source, Map<String, String> passwords) {
    this.source = source;
    this.passwords = Collections.unmodifiableMap(new LinkedHashMap<>(passwords));
  }

  /** Reads a credential file; see the class comment for its format and mode. */
  public static ZkCredentials load(Path file) throws CredentialsFileException {
    String text = SecretFiles.read(file);
    Map<String, String> users = new LinkedHashMap<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      String where = file + " line " + (i + 1);
      if (colon <= 0 || colon == line.length() - 1) {
        throw new CredentialsFileException(where + ": not of the form user:password");
      }
      String user = line.substring(0, colon);
      if (!USER.matcher(user).matches()) {
        throw new CredentialsFileException(where + ": the user name must be letters, digits, '.', '_' or '-'");
      }
      if (users.put(user, line.substring(colon + 1)) != null) {
        throw new CredentialsFileException(where + ": user '" + user + "' is given twice");
      }
    }
    if (users.isEmpty()) {
      throw new CredentialsFileException(file + ": no user:password line");
    }
    return new ZkCredentials(file.toString(), users);
  }

  /** Credentials held in memory, e.g. for tests; {@code source} names them in messages. */
  public static ZkCredentials of(String source, Map<String, String> passwords) {
    passwords.keySet().forEach(u -> {
      if (!USER.matcher(u).matches()) {
        throw new IllegalArgumentException("not a valid ZooKeeper digest user name: '" + u + "'");
      }
    });
    return new ZkCredentials(source, passwords);
  }

  /** These credentials and one more user (an agent's own secret). */
  public ZkCredentials plus(String user, String password) {
    Map<String, String> more = new LinkedHashMap<>(passwords);
    more.put(user, password);
    return of(source, more);
  }

  /**
   * Requires {@code user} to be present.
   *
   * @param role who needs it, for the message ("a coordinator")
   */
  public ZkCredentials require(String user, String role) throws CredentialsFileException {
    if (!passwords.containsKey(user)) {
      throw new CredentialsFileException(source + ": " + role + " needs a line '" + user + ":PASSWORD' (it has "
          + String.join(", ", passwords.keySet()) + ")");
    }
    return this;
  }

  /** Where these credentials come from (a file path): what messages name. */
  public String source() {
    return source;
  }

  public Set<String> users() {
    return passwords.keySet();
  }

  public boolean has(String user) {
    return passwords.containsKey(user);
  }

  /** The ACL id of {@code user}: {@code digest:user:base64(sha1(user:password))}. */
  public Id id(String user) {
    String password = passwords.get(user);
    if (password == null) {
      throw new IllegalArgumentException(source + " has no user '" + user + "'");
    }
    return digestId(user, password);
  }

  /** The ACL id of a digest user with a password. */
  public static Id digestId(String user, String password) {
    try {
      return new Id("digest", DigestAuthenticationProvider.generateDigest(user + ":" + password));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA1 for ZooKeeper digests", e);
    }
  }

  /** What the client authenticates with, one digest per user. */
  public List<AuthInfo> authInfos() {
    List<AuthInfo> out = new ArrayList<>();
    passwords.forEach((u, p) -> out.add(new AuthInfo("digest", (u + ":" + p).getBytes(StandardCharsets.UTF_8))));
    return out;
  }

  @Override
  public String toString() {
    return "ZooKeeper credentials of " + source + " (users " + String.join(", ", passwords.keySet()) + ")";
  }
}
