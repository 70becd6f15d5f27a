package io.groupsnap.agent.verify;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.writer.postgres.PostgresOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test-restore check of a {@code postgresql} writer's data directory: on the restored scratch copy of the volume
 * holding it, a throwaway server ({@link ThrowawayPostgres}) is started — which runs crash recovery from the copy's
 * last checkpoint through the WAL in the copy — and must accept connections and answer the writer's
 * {@code verifyQuery} within {@code verifyTimeout}. A query that fails, or answers exactly one value {@code f}
 * (boolean false), fails the check. This proves the copy is a PostgreSQL cluster that starts: its {@code pg_control},
 * checkpoint and WAL agree, and what the query reads is there. It does not read every table; the query says what
 * matters.
 *
 * <p>Only a writer whose {@code dataDirectory} option is set takes part. The server is stopped and its private
 * directory removed before the verdict returns, whatever the outcome; the copy itself is the caller's scratch.
 * Stateless apart from its settings; thread-safe (each check has its own server).
 */
public final class PostgresCheck {
  private static final Logger log = LoggerFactory.getLogger(PostgresCheck.class);

  private final String writer;
  private final PostgresOptions options;
  private final CommandRunner runner;
  private final Path workRoot;

  /**
   * @param writer the writer's name, for reasons
   * @param options its options; {@link PostgresOptions#dataDirectory()} must be set
   * @param workRoot where each server's private directory (socket, log, hba file) is made
   */
  public PostgresCheck(String writer, PostgresOptions options, CommandRunner runner, Path workRoot) {
    if (options.dataDirectory().isEmpty()) {
      throw new IllegalArgumentException("writer " + writer + " has no dataDirectory");
    }
    this.writer = writer;
    this.options = options;
    this.runner = runner;
    this.workRoot = workRoot;
  }

  /** The checks of the agent's {@code postgresql} writers that name their {@code dataDirectory}. */
  public static List<PostgresCheck> forWriters(List<WriterConfig> writers, CommandRunner runner) {
    List<PostgresCheck> out = new ArrayList<>();
    for (WriterConfig w : writers) {
      if (!w.kind().equals("postgresql")) {
        continue;
      }
      try {
        PostgresOptions o = PostgresOptions.parse(w.options());
        if (o.dataDirectory().isPresent()) {
          out.add(new PostgresCheck(w.name(), o, runner, Path.of(System.getProperty("java.io.tmpdir"))));
        }
      } catch (KindException e) {
        log.warn("writer {}: no test-restore check of its data directory: {}", w.name(), e.getMessage());
      }
    }
    return out;
  }

  public String writer() {
    return writer;
  }

  /** The live data directory, to find the volume it lies in. */
  public Path dataDirectory() {
    return options.dataDirectory().orElseThrow();
  }

  /**
   * Starts a server on {@code copy} (the restored scratch copy of the data directory), runs the verify query, stops it.
   *
   * @param volume the restored volume, for reasons
   * @param stop true once the check should give up (the agent is closing)
   */
  public RestoredCheck.Verdict check(String volume, Path copy, BooleanSupplier stop) {
    String what = "writer " + writer + ": postgresql on the restored copy of volume " + volume;
    String version;
    try {
      version = Files.readString(copy.resolve("PG_VERSION"), StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      return fail(what + " cannot start: the copy has no data directory at " + copy + " (no PG_VERSION)", "");
    }
    Optional<Path> bin = binaries(version);
    if (bin.isEmpty()) {
      return fail(what + " cannot start: no PostgreSQL " + version + " server binaries found (set option "
          + "serverBin)", "");
    }
    long t0 = System.nanoTime();
    long deadline = t0 + options.verifyTimeout().toNanos();
    ThrowawayPostgres server;
    try {
      server = ThrowawayPostgres.prepare(runner, copy, workRoot, options.serverUser());
    } catch (IOException | RuntimeException e) {
      return fail(what + " cannot be prepared: " + e.getMessage(), "");
    }
    try (server) {
      Optional<String> notReady = server.start(bin.get().resolve("postgres").toString(), deadline, stop);
      if (notReady.isPresent()) {
        return fail(what + " did not start: " + notReady.get(), RestoredCheck.tail(server.log()));
      }
      long left = Math.max(1, deadline - System.nanoTime());
      CommandRunner.Result r = server.query(bin.get().resolve("psql").toString(), options.user(),
          options.database(), options.verifyQuery(), Duration.ofNanos(left));
      if (r.timedOut()) {
        return fail(what + ": verify query did not answer within " + options.verifyTimeout(),
            RestoredCheck.tail(server.log()));
      }
      if (r.exitCode() != 0) {
        return fail(what + ": verify query failed: " + firstError(r), RestoredCheck.tail(r.stderr()));
      }
      if (r.stdout().strip().equals("f")) {
        return fail(what + ": verify query answered false", RestoredCheck.tail(r.stdout()));
      }
      return new RestoredCheck.Verdict(true, "postgresql (writer " + writer + ") recovered the restored copy and "
          + "answered the verify query in " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms", "");
    } catch (IOException | RuntimeException e) {
      return fail(what + " failed: " + e.getMessage(), RestoredCheck.tail(server.log()));
    }
  }

  /** psql's first ERROR or FATAL line (the lines after it quote the query), else its last line. */
  private static String firstError(CommandRunner.Result r) {
    return r.stderr().lines().filter(l -> l.contains("ERROR:") || l.contains("FATAL:")).findFirst()
        .map(l -> l.replaceAll("\\s+", " ").strip()).orElse(r.lastLine());
  }

  private static RestoredCheck.Verdict fail(String reason, String tail) {
    return new RestoredCheck.Verdict(false, reason, tail);
  }

  /**
   * Where {@code postgres} and {@code psql} are: option {@code serverBin}; else Debian's
   * {@code /usr/lib/postgresql/<major>/bin} of the copy's version; else the directory {@code postgres} on the search
   * path resolves to.
   */
  private Optional<Path> binaries(String version) {
    if (options.serverBin().isPresent()) {
      return options.serverBin();
    }
    Path debian = Path.of("/usr/lib/postgresql", version, "bin");
    if (Files.isExecutable(debian.resolve("postgres"))) {
      return Optional.of(debian);
    }
    Optional<Path> found = runner.which("postgres");
    try {
      if (found.isPresent()) {
        Path dir = found.get().toRealPath().getParent();
        if (Files.isExecutable(dir.resolve("psql"))) {
          return Optional.of(dir);
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** The path of the data directory inside a restored copy of {@code volumePath}, when it lies in that volume. */
  Optional<Path> inCopy(Path volumePath, Path restored) {
    Path v = volumePath.toAbsolutePath().normalize();
    Path d = dataDirectory().normalize();
    if (!d.startsWith(v) || !Files.isDirectory(restored, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    return Optional.of(restored.resolve(v.relativize(d).toString()));
  }
}
