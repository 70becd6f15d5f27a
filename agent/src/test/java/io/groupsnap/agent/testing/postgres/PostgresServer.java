package io.groupsnap.agent.testing.postgres;

import io.groupsnap.agent.command.CommandRunner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real PostgreSQL server for tests, run as the {@code postgres} OS user: {@code initdb} into a given directory (or a
 * writable copy of a capture), started with {@code pg_ctl} on a free port, listening on 127.0.0.1 only, with its Unix
 * socket in a private directory. Commands are argument vectors through {@code runuser}, never shell strings; the
 * settings go into an included file of the data directory rather than onto a command line.
 *
 * <p>The superuser {@code postgres} authenticates over TCP with a random password (SCRAM); {@link #passwordFile()} holds
 * it in a root-only file, as an agent's {@code passwordFile} option would. {@link #close()} stops the server (fast, then
 * immediate) and removes its private files; servers still running when the JVM exits are stopped by a shutdown hook.
 * A missing requirement (root, PostgreSQL, the {@code postgres} user) fails the test under {@code GROUPSNAP_CI} and
 * skips it otherwise.
 */
public final class PostgresServer implements AutoCloseable {
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(120);
  private static final String SETTINGS_FILE = "groupsnap-test.conf";
  private static final Set<PostgresServer> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(PostgresServer::stopQuietly),
        "postgres-test-servers-stop"));
  }

  private final Path bin;
  private final Path dataDir;
  private final Path workDir;
  private final Path socketDir;
  private final Path logFile;
  private final String password;
  private final Path passwordFile;
  private int port;
  private volatile boolean running;

  private PostgresServer(Path bin, Path dataDir, Path workDir, String name, String password) throws IOException {
    this.bin = bin;
    this.dataDir = dataDir.toAbsolutePath().normalize();
    this.workDir = workDir.toAbsolutePath().normalize();
    this.password = password;
    Files.createDirectories(this.workDir);
    grantTraverse(this.workDir);
    this.socketDir = Files.createTempDirectory(this.workDir, "socket-");
    chownToPostgres(socketDir);
    Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwx------"));
    this.logFile = this.workDir.resolve(name + ".log");
    Files.deleteIfExists(logFile);
    Files.createFile(logFile);
    chownToPostgres(logFile);
    this.passwordFile = this.workDir.resolve(name + ".password");
    Files.deleteIfExists(passwordFile);
    Files.createFile(passwordFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(passwordFile, password + "\n");
  }

  /**
   * Creates a cluster in {@code dataDir} (absent or empty; made the {@code postgres} user's, mode 700) and starts it.
   *
   * @param workDir where the log, the socket directory and the password file go (made traversable by
   *     {@code postgres})
   */
  public static PostgresServer initAndStart(Path dataDir, Path workDir) throws IOException {
    HostRequirements.requirePostgres();
    Path bin = HostRequirements.postgresBin().orElseThrow();
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    String password = HexFormat.of().formatHex(secret);
    Files.createDirectories(dataDir);
    try (var entries = Files.list(dataDir)) {
      if (entries.findAny().isPresent()) {
        throw new IOException(dataDir + " is not empty");
      }
    }
    PostgresServer s = new PostgresServer(bin, dataDir, workDir, dataDir.getFileName().toString(), password);
    grantTraverse(s.dataDir.getParent());
    chownToPostgres(s.dataDir);
    Files.setPosixFilePermissions(s.dataDir, PosixFilePermissions.fromString("rwx------"));
    Path pwfile = Files.createTempFile(s.workDir, "initdb-", ".pw");
    try {
      Files.writeString(pwfile, password + "\n");
      chownToPostgres(pwfile);
      Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("r--------"));
      Run.asPostgres(TOOL_TIMEOUT, bin.resolve("initdb").toString(), "-D", s.dataDir.toString(), "-U", "postgres",
          "--pwfile=" + pwfile, "--auth-local=peer", "--auth-host=scram-sha-256", "--no-locale", "-E", "UTF8");
    } finally {
      Files.deleteIfExists(pwfile);
    }
    Files.writeString(s.dataDir.resolve("postgresql.conf"), "\ninclude_if_exists = '" + SETTINGS_FILE + "'\n",
        java.nio.file.StandardOpenOption.APPEND);
    s.start();
    return s;
  }

  /**
   * Starts a server on a writable copy of {@code capture} (a read-only capture of this server's data directory):
   * copied to {@code copyDir} (which must not exist; reflinks where the file system has them), owned by
   * {@code postgres}, mode 700, without the original's {@code postmaster.pid}. The copy starts as after a power cut:
   * PostgreSQL runs crash recovery.
   *
   * @param standby also create {@code standby.signal}, so that the copy stays in recovery as a standby
   */
  public PostgresServer startCopy(Path capture, Path copyDir, boolean standby) throws IOException {
    return startCopy(capture, copyDir, workDir, password, standby);
  }

  /** As {@link #startCopy(Path, Path, boolean)}, for a capture of a server that is not at hand. */
  public static PostgresServer startCopy(Path capture, Path copyDir, Path workDir, String password, boolean standby)
      throws IOException {
    HostRequirements.requirePostgres();
    Path bin = HostRequirements.postgresBin().orElseThrow();
    if (Files.exists(copyDir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(copyDir + " already exists");
    }
    Files.createDirectories(copyDir.toAbsolutePath().getParent());
    Run.check(TOOL_TIMEOUT, "cp", "-a", "--reflink=auto", "--", capture.toString(), copyDir.toString());
    Run.check(TOOL_TIMEOUT, "chown", "-R", "postgres:postgres", "--", copyDir.toString());
    Files.setPosixFilePermissions(copyDir, PosixFilePermissions.fromString("rwx------"));
    Files.deleteIfExists(copyDir.resolve("postmaster.pid"));
    if (standby) {
      Files.createFile(copyDir.resolve("standby.signal"));
      chownToPostgres(copyDir.resolve("standby.signal"));
    }
    PostgresServer s = new PostgresServer(bin, copyDir, workDir, copyDir.getFileName().toString(), password);
    grantTraverse(s.dataDir.getParent());
    s.start();
    return s;
  }

  /** Writes the settings (a new free port each try) and starts with {@code pg_ctl}; retries a port taken meanwhile. */
  private void start() throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      port = freePort();
      Path settings = dataDir.resolve(SETTINGS_FILE);
      Files.writeString(settings, "listen_addresses = '127.0.0.1'\nport = " + port + "\nunix_socket_directories = '"
          + socketDir + "'\nmax_connections = 40\nshared_buffers = 32MB\nlog_checkpoints = on\n");
      chownToPostgres(settings);
      CommandRunner.Result r = Run.quietly(TOOL_TIMEOUT, "runuser", "-u", "postgres", "--",
          bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l", logFile.toString(), "-w", "-t", "90",
          "start");
      if (r.ok()) {
        running = true;
        RUNNING.add(this);
        return;
      }
      stopQuietly(); // pg_ctl may have given up on a server that still comes up
      last = new IOException("pg_ctl start of " + dataDir + " failed: " + r.lastLine() + "; log: " + logTail());
      if (!log().contains("could not bind") && !log().contains("Address already in use")) {
        break;
      }
    }
    throw last;
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The superuser's password. */
  public String password() {
    return password;
  }

  /** A root-only file (mode 600) holding the superuser's password, as a writer's {@code passwordFile}. */
  public Path passwordFile() {
    return passwordFile;
  }

  /** A new connection as superuser {@code postgres} to {@code database} (auto-commit on). */
  public Connection connect(String database) throws SQLException {
    return connect(database, "groupsnap-test");
  }

  /** As {@link #connect(String)} with an application name, to find the session in {@code pg_stat_activity}. */
  public Connection connect(String database, String applicationName) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("password", password);
    p.setProperty("ApplicationName", applicationName);
    p.setProperty("connectTimeout", "10");
    p.setProperty("socketTimeout", "120");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, p);
  }

  /** The server's log so far. */
  public String log() {
    try {
      return Files.readString(logFile);
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private String logTail() {
    List<String> lines = log().lines().toList();
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
  }

  /**
   * True when the log shows the server ran crash recovery and then accepted connections, without a PANIC: how a
   * copy of an atomic capture of a running server must start.
   */
  public boolean recoveredFromCrash() {
    String l = log();
    return l.contains("database system was not properly shut down; automatic recovery in progress")
        && l.contains("database system is ready to accept") && !l.contains("PANIC");
  }

  public boolean isRunning() {
    return running;
  }

  /** Stops the server: fast shutdown, immediate if that does not end it. */
  public void stop() throws IOException {
    if (!running && !Files.exists(dataDir.resolve("postmaster.pid"))) {
      return;
    }
    CommandRunner.Result r = Run.quietly(TOOL_TIMEOUT, "runuser", "-u", "postgres", "--",
        bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "stop");
    if (!r.ok() && Files.exists(dataDir.resolve("postmaster.pid"))) {
      r = Run.quietly(TOOL_TIMEOUT, "runuser", "-u", "postgres", "--", bin.resolve("pg_ctl").toString(), "-D",
          dataDir.toString(), "-m", "immediate", "-w", "-t", "60", "stop");
      if (!r.ok() && Files.exists(dataDir.resolve("postmaster.pid"))) {
        throw new IOException("could not stop the server in " + dataDir + ": " + r.lastLine());
      }
    }
    running = false;
    RUNNING.remove(this);
  }

  private void stopQuietly() {
    try {
      stop();
    } catch (IOException e) {
      System.err.println("PostgresServer: " + e.getMessage());
    }
  }

  /** Stops the server and removes its socket directory and password file; the data directory stays. */
  @Override
  public void close() throws IOException {
    try {
      stop();
    } finally {
      Files.deleteIfExists(passwordFile);
      Run.quietly(TOOL_TIMEOUT, "rm", "-rf", "--", socketDir.toString());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    }
  }

  private static void chownToPostgres(Path p) throws IOException {
    UserPrincipal pg = p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
    Files.setOwner(p, pg);
  }

  /**
   * Lets the {@code postgres} user reach {@code dir}: adds search permission for others to it and to its ancestors
   * below the temporary directory (test directories are created private). Directories elsewhere are not changed: one
   * that {@code postgres} cannot search is an error naming it.
   */
  static void grantTraverse(Path dir) throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
    for (Path p = dir.toRealPath(); p != null; p = p.getParent()) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      if (perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        continue;
      }
      if (!p.startsWith(tmp) || p.equals(tmp)) {
        throw new IOException(p + " cannot be searched by the postgres user (needs o+x); the fixture only opens "
            + "directories below " + tmp);
      }
      perms.add(PosixFilePermission.OTHERS_EXECUTE);
      Files.setPosixFilePermissions(p, perms);
    }
  }
}
