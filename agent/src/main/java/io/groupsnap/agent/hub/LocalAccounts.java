package io.groupsnap.agent.hub;

import com.sun.security.auth.module.UnixSystem;
import io.groupsnap.common.Names;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Local user and group names to numeric ids, as the host's name service knows them: through {@code getent} (which
 * follows {@code /etc/nsswitch.conf}: files, LDAP, sssd), or {@code /etc/passwd} and {@code /etc/group} where
 * {@code getent} is missing. Names are looked up when the configuration is loaded, so that a misspelt name is an error
 * then rather than a refused application later. Stateless.
 */
public final class LocalAccounts {
  /** User and group names as useradd and groupadd accept them, conservatively. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}\\$?");

  private LocalAccounts() {}

  /** The user id the agent runs as. */
  public static int agentUid() {
    return (int) new UnixSystem().getUid();
  }

  /**
   * The id of user {@code name}.
   *
   * @throws IllegalArgumentException in one line when there is no such user, or the name cannot be one
   */
  public static int uid(String name) {
    return lookup("passwd", "user", name);
  }

  /** As {@link #uid}, for group {@code name}. */
  public static int gid(String name) {
    return lookup("group", "group", name);
  }

  private static int lookup(String database, String what, String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + Names.printable(name) + "' is not a " + what + " name");
    }
    OptionalInt id;
    try {
      id = getent(database, name);
    } catch (IOException e) {
      id = fromFile(Path.of("/etc", database), name);
    }
    if (id.isEmpty()) {
      throw new IllegalArgumentException("unknown " + what + " '" + name + "' on this host");
    }
    return id.getAsInt();
  }

  /** Runs {@code getent DATABASE NAME}; empty when it knows no such entry. */
  private static OptionalInt getent(String database, String name) throws IOException {
    Process p = new ProcessBuilder("getent", database, name).redirectErrorStream(true).start();
    try {
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readNBytes(64 * 1024), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("getent did not finish");
      }
      return p.exitValue() == 0 ? idOf(out.lines().findFirst().orElse(""), name) : OptionalInt.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted");
    }
  }

  private static OptionalInt fromFile(Path file, String name) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return OptionalInt.empty();
    }
    for (String line : lines) {
      OptionalInt id = idOf(line, name);
      if (id.isPresent()) {
        return id;
      }
    }
    return OptionalInt.empty();
  }

  /** The id (third field) of a passwd or group line for {@code name}. */
  private static OptionalInt idOf(String line, String name) {
    String[] f = line.split(":", -1);
    if (f.length < 3 || !f[0].equals(name)) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseInt(f[2]));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }
}
