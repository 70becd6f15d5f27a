package io.groupsnap.agent.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kind restic against the real tool and a local repository. */
class ResticTargetTest {
  static final Path RESTIC = Path.of("/usr/bin/restic");
  @TempDir Path tmp;
  Path repo;
  Path password;
  Path capture;

  @BeforeEach
  void setUp() throws Exception {
    assumeThat(Files.isExecutable(RESTIC)).as("restic installed").isTrue();
    repo = tmp.resolve("repo");
    password = tmp.resolve("restic.pass");
    Files.writeString(password, "correct horse\n");
    Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
    capture = Files.createDirectories(tmp.resolve("captures/gs-1/data"));
    Files.writeString(capture.resolve("a.txt"), "hello\n");
    Files.createDirectories(capture.resolve("sub/deeper"));
    byte[] random = new byte[700_000];
    new Random(7).nextBytes(random);
    Files.write(capture.resolve("sub/deeper/b.bin"), random);
    Files.createSymbolicLink(capture.resolve("link"), Path.of("a.txt"));
  }

  ResticTarget target(String repository, boolean createIfMissing) {
    return new ResticTarget(new ExportTargetConfig.Restic("offsite", repository, password, 0, createIfMissing, 10,
        Duration.ofMinutes(5)), RESTIC, Path.of("/usr/bin/nice"), tmp.resolve("state/restic-cache"));
  }

  ExportTarget.Job job(String run, String volume) {
    return new ExportTarget.Job("host-a", "shop", run, "gs-1", volume, capture);
  }

  String restic(String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of(RESTIC.toString(), "-r", repo.toString(), "--password-file",
        password.toString(), "--no-cache"));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  JsonNode snapshots() throws Exception {
    return new ObjectMapper().readTree(restic("snapshots", "--json"));
  }

  @Test
  void aCapture_isBackedUpWithItsTags_andItsRestoreIsTheTreeByteForByte() throws Exception {
    restic("init");
    List<long[]> progress = new ArrayList<>();
    ExportTarget.Result r = target(repo.toString(), false).export(job("run-1", "data"),
        (bd, bt, fd, ft) -> progress.add(new long[] {bd, bt, fd, ft}));

    assertThat(r.files()).isEqualTo(2);
    assertThat(r.bytes()).isEqualTo(700_006);
    assertThat(progress).hasSizeGreaterThanOrEqualTo(2); // restic's status lines, then the summary's counts
    JsonNode all = snapshots();
    assertThat(all).hasSize(1);
    JsonNode s = all.get(0);
    assertThat(s.get("id").asText()).isEqualTo(r.repositorySnapshotId());
    assertThat(s.get("hostname").asText()).isEqualTo("host-a");
    List<String> tags = new ArrayList<>();
    s.get("tags").forEach(t -> tags.add(t.asText()));
    assertThat(tags).containsExactlyInAnyOrder("groupsnap", "group=shop", "run=run-1", "member=host-a:data",
        "snapshot=gs-1");

    Path restored = tmp.resolve("restored");
    restic("restore", r.repositorySnapshotId(), "--target", restored.toString());
    assertThat(tree(restored)).isEqualTo(tree(capture));
  }

  @Test
  void anEmptyCapture_isExportedAsNothing_ratherThanFailing() throws Exception {
    restic("init");
    Path empty = Files.createDirectories(tmp.resolve("captures/gs-2/data"));
    ExportTarget.Result r = target(repo.toString(), false).export(new ExportTarget.Job("host-a", "shop", "run-2",
        "gs-2", "data", empty), ExportTarget.Progress.NONE);
    assertThat(r).isEqualTo(new ExportTarget.Result(0, 0, ""));
    assertThat(snapshots()).isEmpty();
    // forgetting it where nothing was ever stored (the repository never made) succeeds
    Path never = tmp.resolve("never-made");
    assertThat(target(never.toString(), true).forget(new ExportTarget.Forget("host-a", "shop", "run-2", "gs-2",
        List.of()), List.of(new ExportTarget.Exported("data", "")))).isZero();
    assertThat(never).doesNotExist();
  }

  @Test
  void aWrongPassword_isOneLineNamingTheRepositoryAndTheFile() throws Exception {
    restic("init");
    Files.writeString(password, "wrong\n");
    ExportException e = catchThrowableOfType(ExportException.class,
        () -> target(repo.toString(), false).export(job("run-1", "data"), ExportTarget.Progress.NONE));
    assertThat(e).hasMessage("wrong password for repository " + repo + " (password file " + password + ")");
  }

  @Test
  void aMissingRepository_isOneLine_unlessCreateIfMissingMakesIt() throws Exception {
    ExportException e = catchThrowableOfType(ExportException.class,
        () -> target(repo.toString(), false).export(job("run-1", "data"), ExportTarget.Progress.NONE));
    assertThat(e).hasMessage("repository " + repo + " does not exist (restic init it, or set createIfMissing: "
        + "true)");
    assertThat(repo).doesNotExist();

    ExportTarget.Result r = target(repo.toString(), true).export(job("run-1", "data"), ExportTarget.Progress.NONE);
    assertThat(repo.resolve("config")).exists();
    assertThat(snapshots().get(0).get("id").asText()).isEqualTo(r.repositorySnapshotId());
  }

  @Test
  void aPasswordFileReadableByOthers_isRefusedBeforeResticRuns() throws Exception {
    restic("init");
    Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r--r--"));
    ExportException e = catchThrowableOfType(ExportException.class,
        () -> target(repo.toString(), false).export(job("run-1", "data"), ExportTarget.Progress.NONE));
    assertThat(e.getMessage()).startsWith("password file of export target offsite: " + password + ": mode 0644 is "
        + "refused");
  }

  @Test
  void resticNotInstalled_isOneLine() {
    ResticTarget t = new ResticTarget(new ExportTargetConfig.Restic("offsite", repo.toString(), password, 0, false,
        10, Duration.ofMinutes(1)), null, null, tmp.resolve("cache"));
    ExportException e = catchThrowableOfType(ExportException.class,
        () -> t.export(job("run-1", "data"), ExportTarget.Progress.NONE));
    assertThat(e).hasMessage("restic not installed");
  }

  @Test
  void forget_removesOnlyThatRunsSnapshotsOfThisAgent_andIsIdempotent() throws Exception {
    restic("init");
    ResticTarget t = target(repo.toString(), false);
    t.export(job("run-1", "data"), ExportTarget.Progress.NONE);
    t.export(job("run-1", "logs"), ExportTarget.Progress.NONE);
    String kept = t.export(job("run-2", "data"), ExportTarget.Progress.NONE).repositorySnapshotId();
    String otherAgent = t.export(new ExportTarget.Job("host-b", "shop", "run-1", "gs-1", "data", capture),
        ExportTarget.Progress.NONE).repositorySnapshotId();

    ExportTarget.Forget f = new ExportTarget.Forget("host-a", "shop", "run-1", "gs-1", List.of());
    assertThat(t.forget(f, List.of())).isEqualTo(2);
    List<String> left = new ArrayList<>();
    snapshots().forEach(s -> left.add(s.get("id").asText()));
    assertThat(left).containsExactlyInAnyOrder(kept, otherAgent);
    assertThat(t.forget(f, List.of())).isZero();
  }

  @Test
  void aRepositoryUrlsPassword_isNeverShown() {
    assertThat(ResticTarget.shown("rest:https://user:s3cret@backup.example:8000/repo"))
        .isEqualTo("rest:https://user:***@backup.example:8000/repo");
    assertThat(ResticTarget.shown("sftp:backup@host:/srv/restic")).isEqualTo("sftp:backup@host:/srv/restic");
  }

  /** Every entry below {@code root}: relative path → file contents, link target or "dir". */
  static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        String rel = root.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          out.put(rel, "-> " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          out.put(rel, "dir");
        } else {
          out.put(rel, java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
              .digest(Files.readAllBytes(p))));
        }
      }
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
