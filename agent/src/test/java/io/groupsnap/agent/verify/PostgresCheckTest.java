package io.groupsnap.agent.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.testing.postgres.PostgresServer;
import io.groupsnap.agent.writer.postgres.PostgresOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test restore's PostgreSQL check against a real server: the volume holding a running cluster's data directory is
 * copied while the server runs (crash-consistent, as a snapshot is) into scratch space, and {@link RestoredCheck}
 * starts a throwaway server on the copy — beside the live one, whose copied settings name the same port and socket
 * directory, so the overrides must hold.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresCheckTest {
  private static final int ROWS = 1500;
  private static final CommandRunner COMMANDS = CommandRunner.system();

  @TempDir
  static Path tmp;
  private Path volume;
  private PostgresServer live;
  private int copies;

  @BeforeAll
  void startLiveServer() throws Exception {
    volume = tmp.resolve("vol");
    live = PostgresServer.initAndStart(volume.resolve("pgdata"), tmp.resolve("work"));
    try (Connection c = live.connect("postgres"); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)");
      s.execute("INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1000) g");
      s.execute("CHECKPOINT");
      // after the checkpoint: only in the WAL until the next one, so the copy must replay it
      s.execute("INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1001, " + ROWS + ") g");
    }
  }

  @AfterAll
  void stopLiveServer() throws IOException {
    if (live != null) {
      live.close();
    }
  }

  @Test
  void copyRecoversAndAnswers_whenTheCaptureIsWhole() throws Exception {
    Path copy = restoredCopy();
    Path work = Files.createDirectories(tmp.resolve("pg-work-ok"));

    long t0 = System.nanoTime();
    RestoredCheck.Verdict v = check("SELECT count(*) = " + ROWS + " FROM items", work).check("vol", copy, null,
        () -> false);
    System.out.printf("PostgresCheckTest: verify of the restored copy took %d ms%n",
        (System.nanoTime() - t0) / 1_000_000);

    assertThat(v.ok()).as(v.reason() + "\n" + v.outputTail()).isTrue();
    assertThat(v.reason()).contains("read back").contains("writer shop-db").contains("recovered");
    assertGone(copy, work);
    try (Connection c = live.connect("postgres")) {
      assertThat(c.isValid(5)).as("the live server is untouched").isTrue();
    }
  }

  @Test
  void failsNamingVolumeAndWhy_whenTheWalIsGone() throws Exception {
    Path copy = restoredCopy();
    try (Stream<Path> wal = Files.list(copy.resolve("pgdata/pg_wal"))) {
      for (Path segment : wal.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}")).toList()) {
        Files.delete(segment);
      }
    }
    Path work = Files.createDirectories(tmp.resolve("pg-work-nowal"));

    RestoredCheck.Verdict v = check("SELECT 1", work).check("vol", copy, null, () -> false);
    System.out.println("PostgresCheckTest: without WAL: " + v.reason());

    assertThat(v.ok()).isFalse();
    assertThat(v.reason()).contains("writer shop-db").contains("volume vol").contains("did not start")
        .containsPattern("PANIC|FATAL").doesNotContain("\n");
    assertThat(v.outputTail()).contains("checkpoint record");
    assertGone(copy, work);
  }

  @Test
  void fails_whenTheVerifyQueryAnswersFalse() throws Exception {
    Path copy = restoredCopy();
    Path work = Files.createDirectories(tmp.resolve("pg-work-false"));

    RestoredCheck.Verdict v = check("SELECT count(*) > " + ROWS + " FROM items", work).check("vol", copy, null,
        () -> false);

    assertThat(v.ok()).isFalse();
    assertThat(v.reason()).contains("volume vol").contains("verify query answered false");
    assertGone(copy, work);
  }

  @Test
  void failsWithTheServersError_whenTheVerifyQueryFails() throws Exception {
    Path copy = restoredCopy();
    Path work = Files.createDirectories(tmp.resolve("pg-work-error"));

    RestoredCheck.Verdict v = check("SELECT * FROM no_such_table", work).check("vol", copy, null, () -> false);

    assertThat(v.ok()).isFalse();
    assertThat(v.reason()).contains("verify query failed").contains("no_such_table").contains("does not exist");
    assertGone(copy, work);
  }

  @Test
  void runsNothing_whenTheDataDirectoryIsInAnotherVolume() throws Exception {
    Path copy = restoredCopy();
    Path work = Files.createDirectories(tmp.resolve("pg-work-other"));
    RestoredCheck checks = new RestoredCheck(List.of(new VolumeConfig("other", "dir", tmp.resolve("elsewhere"),
        Map.of())), COMMANDS, List.of(pgCheck("SELECT false", work)));

    RestoredCheck.Verdict v = checks.check("other", copy, null, () -> false);

    assertThat(v.ok()).isTrue();
    assertThat(v.reason()).doesNotContain("postgresql");
  }

  private RestoredCheck check(String query, Path work) throws Exception {
    return new RestoredCheck(List.of(new VolumeConfig("vol", "dir", volume, Map.of())), COMMANDS,
        List.of(pgCheck(query, work)));
  }

  private PostgresCheck pgCheck(String query, Path work) throws Exception {
    PostgresOptions o = PostgresOptions.parse(Map.of("port", String.valueOf(live.port()), "database", "postgres",
        "user", "postgres", "dataDirectory", volume.resolve("pgdata").toString(), "verifyQuery", query,
        "verifyTimeout", "2m"));
    return new PostgresCheck("shop-db", o, COMMANDS, work);
  }

  /** A copy of the whole volume taken while the server runs, where a test restore puts it. */
  private Path restoredCopy() throws IOException {
    Path scratch = Files.createDirectories(tmp.resolve("restore/.verify-t" + (++copies)));
    Path copy = scratch.resolve("vol");
    CommandRunner.Result r = COMMANDS.run(List.of("cp", "-a", "--", volume.toString(), copy.toString()),
        Duration.ofMinutes(2));
    assertThat(r.ok()).as(r.lastLine()).isTrue();
    assertThat(copy.resolve("pgdata/postmaster.pid")).as("copied from a running server").exists();
    return copy;
  }

  /** No process runs on the copy any more, its pid file is gone, and the server's private directory is removed. */
  private static void assertGone(Path copy, Path work) throws IOException {
    List<String> running = ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
        .filter(c -> c.contains(copy.toString()) || c.contains(work.toString())).toList();
    assertThat(running).as("processes on the copy").isEmpty();
    assertThat(copy.resolve("pgdata/postmaster.pid")).doesNotExist();
    try (Stream<Path> left = Files.list(work)) {
      assertThat(left.toList()).as("the throwaway server's private directory").isEmpty();
    }
  }
}
