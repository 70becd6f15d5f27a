package io.groupsnap.agent.writer.postgres;

import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.common.Names;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The settings of a {@code postgresql} writer, parsed from its {@code options} map (every value a string).
 *
 * <p>{@code tables} is one string: table names separated by commas, each {@code name} or {@code schema.name}, written
 * as unquoted SQL identifiers (a letter or '_', then letters, digits, '_' or '$'; at most 63) and folded to lower
 * case as PostgreSQL folds unquoted names. An unqualified name is looked up through the connecting role's
 * {@code search_path}. Names that need quoting (mixed case, spaces) cannot be listed; leave {@code tables} out to hold
 * every table of the database instead.
 *
 * @param host server host name or IP address
 * @param port server TCP port
 * @param database database to connect to and whose tables are held
 * @param user role to connect as
 * @param passwordFile file holding the role's password (its first line), read at every PREPARE; empty when the server
 *     needs no password
 * @param tables tables to hold, as {@code [schema.]name} in lower case; empty means every user table of the database
 * @param checkpoint whether PREPARE runs {@code CHECKPOINT}
 * @param dataDirectory the server's data directory (PGDATA) on this host, absolute; when it lies in one of the agent's
 *     volumes, a test restore of that volume starts a throwaway server on the restored copy; empty: no such check
 * @param verifyQuery the query run on that throwaway server; it must succeed and must not answer a single {@code false}
 * @param verifyTimeout how long the throwaway server may take to recover, start and answer the query
 * @param serverBin the directory holding {@code postgres} and {@code psql} for that server; empty: found by the
 *     copy's {@code PG_VERSION}
 * @param serverUser the OS user the throwaway server runs as when the agent runs as root
 */
public record PostgresOptions(String host, int port, String database, String user, Optional<Path> passwordFile,
    List<String> tables, boolean checkpoint, Optional<Path> dataDirectory, String verifyQuery, Duration verifyTimeout,
    Optional<Path> serverBin, String serverUser) {
  /** The option names of kind {@code postgresql}. */
  public static final Set<String> NAMES = Set.of("host", "port", "database", "user", "passwordFile", "tables",
      "checkpoint", "dataDirectory", "verifyQuery", "verifyTimeout", "serverBin", "serverUser");
  /** The default {@link #verifyQuery}. */
  public static final String VERIFY_QUERY = "SELECT 1";
  /** The default {@link #verifyTimeout}. */
  public static final Duration VERIFY_TIMEOUT = Duration.ofMinutes(2);

  private static final Pattern HOST_NAME = Pattern.compile(
      "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  /** Database and role names: conservative, so that they pass through a JDBC URL and a log line unchanged. */
  private static final Pattern OBJECT_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.$-]{0,62}");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
  private static final Pattern OS_USER = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}");
  private static final int MAX_QUERY = 8192;

  public PostgresOptions {
    tables = List.copyOf(tables);
  }

  /**
   * Parses and checks the options; nothing is contacted.
   *
   * @throws KindException naming the option ({@code options.port}) and what is wrong with it
   */
  public static PostgresOptions parse(Map<String, String> options) throws KindException {
    return parse(new KindOptions("postgresql", options));
  }

  static PostgresOptions parse(KindOptions o) throws KindException {
    String host = o.get("host", "127.0.0.1").strip();
    if (host.length() > 253 || !(HOST_NAME.matcher(host).matches()
        || (host.contains(":") && IPV6.matcher(host).matches()))) {
      throw new KindException("options.host", "'" + Names.printable(host) + "' is not a host name or IP address");
    }
    int port = port(o.get("port", "5432"));
    String database = o.required("database").strip();
    if (!OBJECT_NAME.matcher(database).matches()) {
      throw new KindException("options.database", "'" + Names.printable(database)
          + "' is not a supported database name (letters, digits, '_', '.', '$', '-'; at most 63)");
    }
    String user = o.required("user").strip();
    if (!OBJECT_NAME.matcher(user).matches()) {
      throw new KindException("options.user", "'" + Names.printable(user)
          + "' is not a supported role name (letters, digits, '_', '.', '$', '-'; at most 63)");
    }
    Optional<Path> passwordFile = Optional.empty();
    if (o.has("passwordFile")) {
      passwordFile = Optional.of(absolute("passwordFile", o.get("passwordFile")));
    }
    List<String> tables = o.has("tables") ? tables(o.get("tables")) : List.of();
    Optional<Path> dataDirectory = o.has("dataDirectory")
        ? Optional.of(absolute("dataDirectory", o.get("dataDirectory"))) : Optional.empty();
    String query = o.get("verifyQuery", VERIFY_QUERY).strip();
    if (query.isEmpty() || query.length() > MAX_QUERY || query.chars().anyMatch(c -> c == 0)) {
      throw new KindException("options.verifyQuery", "must be one SQL query of 1 to " + MAX_QUERY
          + " characters");
    }
    Duration verifyTimeout = o.duration("verifyTimeout", VERIFY_TIMEOUT);
    if (verifyTimeout.isZero() || verifyTimeout.isNegative()) {
      throw new KindException("options.verifyTimeout", "must be positive");
    }
    Optional<Path> serverBin = o.has("serverBin")
        ? Optional.of(absolute("serverBin", o.get("serverBin"))) : Optional.empty();
    String serverUser = o.get("serverUser", "postgres").strip();
    if (!OS_USER.matcher(serverUser).matches()) {
      throw new KindException("options.serverUser", "'" + Names.printable(serverUser)
          + "' is not an OS user name");
    }
    return new PostgresOptions(host, port, database, user, passwordFile, tables, o.flag("checkpoint", true),
        dataDirectory, query, verifyTimeout, serverBin, serverUser);
  }

  /** The JDBC URL of the database; IPv6 literals in brackets. */
  String jdbcUrl() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "jdbc:postgresql://" + h + ":" + port + "/" + database;
  }

  /** Where the writer connects, for messages: {@code user@host:port/database}. */
  String where() {
    return user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database;
  }

  private static int port(String value) throws KindException {
    try {
      int p = Integer.parseInt(value.strip());
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new KindException("options.port", "'" + Names.printable(value) + "' is not a TCP port (1-65535)");
  }

  private static Path absolute(String option, String value) throws KindException {
    Path p;
    try {
      p = Path.of(value);
    } catch (InvalidPathException e) {
      throw new KindException("options." + option, "'" + Names.printable(value) + "' is not a path");
    }
    if (!p.isAbsolute()) {
      throw new KindException("options." + option, "'" + Names.printable(value) + "' must be an absolute path");
    }
    return p.normalize();
  }

  private static List<String> tables(String value) throws KindException {
    Set<String> out = new LinkedHashSet<>();
    String[] parts = value.split(",", -1);
    for (String raw : parts) {
      String t = raw.strip();
      if (t.isEmpty()) {
        throw new KindException("options.tables", "has an empty entry (give table names separated by commas, e.g. "
            + "\"public.accounts, history\"; leave the option out to hold every table)");
      }
      String[] qualified = t.split("\\.", -1);
      if (qualified.length > 2 || !allIdentifiers(qualified)) {
        throw new KindException("options.tables", "'" + Names.printable(t) + "' is not a table name ([schema.]name, "
            + "each an unquoted SQL identifier: a letter or '_', then letters, digits, '_' or '$')");
      }
      String folded = t.toLowerCase(Locale.ROOT);
      if (!out.add(folded)) {
        throw new KindException("options.tables", "lists '" + folded + "' twice");
      }
    }
    return new ArrayList<>(out);
  }

  private static boolean allIdentifiers(String[] parts) {
    for (String p : parts) {
      if (!IDENTIFIER.matcher(p).matches()) {
        return false;
      }
    }
    return true;
  }
}
