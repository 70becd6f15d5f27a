package io.groupsnap.agent.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.common.Durations;
import io.groupsnap.common.zkauth.CredentialsFileException;
import io.groupsnap.common.zkauth.SecretFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Export kind {@code restic}: backs a capture up with the restic tool into the configured repository.
 *
 * <p>restic runs in the capture's directory on {@code .}, so that a restore of the snapshot gives the capture's files
 * at the top of the restore target. Every snapshot carries the tags {@code groupsnap}, {@code group=G}, {@code run=R},
 * {@code member=AGENT:VOLUME} and {@code snapshot=GROUP_SNAPSHOT_ID} and the host name of the agent, which is how
 * forgetting finds a run's snapshots again. restic reads the password file itself; the agent only checks its mode.
 * Its {@code --json} status lines are the progress. Exit codes (restic 0.14): 0 done, 1 fatal, 3 some files could
 * not be read — a failure here, for a backup that misses files is no backup of the group snapshot; newer restic's
 * 10 (no repository) and 12 (wrong password) are understood too.
 */
public final class ResticTarget implements ExportTarget {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Variables that would change which repository or password restic uses behind the configuration's back. */
  private static final Map<String, String> ENV = new HashMap<>();

  static {
    for (String v : List.of("RESTIC_REPOSITORY", "RESTIC_REPOSITORY_FILE", "RESTIC_PASSWORD",
        "RESTIC_PASSWORD_FILE", "RESTIC_PASSWORD_COMMAND")) {
      ENV.put(v, null);
    }
  }

  private final ExportTargetConfig.Restic config;
  private final Path restic;
  private final Path nice;
  private final Path cacheDir;
  private final ToolLedger ledger;
  private final String shownRepository;

  /**
   * @param restic the restic executable; null when it is not installed (every export then fails saying so)
   * @param nice the nice executable; null: restic is not niced
   * @param cacheDir restic's cache ({@code --cache-dir}), under the agent's state directory
   */
  public ResticTarget(ExportTargetConfig.Restic config, Path restic, Path nice, Path cacheDir) {
    this(config, restic, nice, cacheDir, ToolLedger.NONE);
  }

  /** @param ledger where each restic process is written down while it runs ({@link ToolLedger}) */
  public ResticTarget(ExportTargetConfig.Restic config, Path restic, Path nice, Path cacheDir, ToolLedger ledger) {
    this.ledger = ledger;
    this.config = config;
    this.restic = restic;
    this.nice = nice;
    this.cacheDir = cacheDir;
    this.shownRepository = shown(config.repository());
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public String kind() {
    return ExportTargetConfig.Restic.KIND;
  }

  private static boolean isEmpty(java.nio.file.Path dir) throws ExportException {
    try (java.util.stream.Stream<java.nio.file.Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    } catch (java.io.IOException e) {
      throw new ExportException("cannot read capture " + dir + ": " + e.getMessage());
    }
  }

  @Override
  public Result export(Job job, Progress progress) throws ExportException, InterruptedException {
    checkPasswordFile();
    if (!Files.isDirectory(job.capture(), LinkOption.NOFOLLOW_LINKS)) {
      throw new ExportException("capture " + job.capture() + " of volume " + job.volume()
          + " is not a directory: restic exports file trees only");
    }
    if (isEmpty(job.capture())) {
      // restic refuses to save an empty tree; an empty volume is a state worth backing up all the same: nothing is
      // stored, and restoring the member gives an empty directory
      progress.update(0, 0, 0, 0);
      return new Result(0, 0, "");
    }
    List<String> args = new ArrayList<>(List.of("backup", "--json", "--tag", "groupsnap", "--tag",
        "group=" + job.group(), "--tag", "run=" + job.runId(), "--tag", "member=" + job.member(), "--tag",
        "snapshot=" + job.groupSnapshotId(), "--host", job.agentId()));
    if (config.limitUploadKiB() > 0) {
      args.addAll(List.of("--limit-upload", Long.toString(config.limitUploadKiB())));
    }
    args.add(".");
    AtomicReference<JsonNode> summary = new AtomicReference<>();
    ExportProcess.Outcome o = run(args, job.capture(), line -> {
      JsonNode n = json(line);
      if (n == null) {
        return;
      }
      String type = n.path("message_type").asText("");
      if (type.equals("status")) {
        progress.update(n.path("bytes_done").asLong(0), n.path("total_bytes").asLong(0),
            n.path("files_done").asLong(0), n.path("total_files").asLong(0));
      } else if (type.equals("summary")) {
        summary.set(n);
      }
    });
    if (!o.ok() && config.createIfMissing() && missingRepository(o)) {
      init();
      return export(job, progress);
    }
    if (o.exitCode() == 3) {
      throw new ExportException("restic could not read some files of capture " + job.capture() + " of volume "
          + job.volume() + ": " + o.lastErrorLine());
    }
    if (!o.ok()) {
      throw failure("backup", o);
    }
    JsonNode s = summary.get();
    if (s == null || s.path("snapshot_id").asText("").isEmpty()) {
      throw new ExportException("restic backup to repository " + shownRepository + " reported no snapshot id");
    }
    String id = fullId(s.path("snapshot_id").asText(), job);
    long bytes = s.path("total_bytes_processed").asLong(0);
    long files = s.path("total_files_processed").asLong(0);
    progress.update(bytes, bytes, files, files);
    return new Result(bytes, files, id);
  }

  /** The full id of the snapshot restic 0.14 names by its short id in the summary; the short one if not found. */
  private String fullId(String shortId, Job job) throws InterruptedException {
    try {
      for (JsonNode s : list("group=" + job.group() + ",run=" + job.runId() + ",member=" + job.member(),
          job.agentId())) {
        if (s.path("id").asText("").startsWith(shortId)) {
          return s.path("id").asText();
        }
      }
    } catch (ExportException e) {
      // the backup is done; its short id names it as well
    }
    return shortId;
  }

  @Override
  public int forget(Forget f, List<Exported> exported) throws ExportException, InterruptedException {
    checkPasswordFile();
    if (exported.stream().allMatch(e -> e.repositorySnapshotId().isEmpty()) && !repositoryExists()) {
      return 0; // only empty captures were exported (nothing stored), and the repository was never made
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode s : list("group=" + f.group() + ",run=" + f.runId(), f.agentId())) {
      ids.add(s.path("id").asText());
    }
    if (ids.isEmpty()) {
      return 0;
    }
    // a restic killed with its agent leaves its lock; forget --prune needs the repository to itself, so remove the
    // locks of processes that are gone first (restic's own test: same host, process not running)
    run(List.of("unlock"), null, line -> { });
    List<String> args = new ArrayList<>(List.of("forget", "--prune"));
    args.addAll(ids);
    ExportProcess.Outcome o = run(args, null, line -> { });
    if (!o.ok()) {
      throw failure("forget", o);
    }
    return ids.size();
  }

  /**
   * {@code restic restore ID --target TARGET}: the capture was backed up from its own directory ({@code .}), so its
   * files land directly in the target. An empty capture (no snapshot stored) comes back as an empty directory.
   */
  @Override
  public Restorer restorer(String repositorySnapshotId, long bytes) throws ExportException {
    checkPasswordFile();
    return new Restorer() {
      @Override
      public String method() {
        return "restic-restore";
      }

      @Override
      public long bytesNeeded() {
        return bytes;
      }

      @Override
      public long bytes() {
        return bytes;
      }

      @Override
      public String materialize(Path target) throws VolumeException {
        try {
          Files.createDirectory(target);
          if (repositorySnapshotId.isEmpty()) {
            return method();
          }
          ExportProcess.Outcome o = run(List.of("restore", repositorySnapshotId, "--target", target.toString()),
              null, line -> { });
          if (!o.ok()) {
            throw new VolumeException(failure("restore", o).getMessage(), true);
          }
          return method();
        } catch (IOException | ExportException e) {
          throw new VolumeException("restic restore of " + repositorySnapshotId + " from " + shownRepository
              + " failed: " + e.getMessage(), true, e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new VolumeException("restic restore of " + repositorySnapshotId + " interrupted", true, e);
        }
      }
    };
  }

  /** This agent's snapshots carrying the tags {@code groupsnap} and {@code tags} (comma-separated: all of them). */
  private List<JsonNode> list(String tags, String host) throws ExportException, InterruptedException {
    StringBuilder out = new StringBuilder();
    ExportProcess.Outcome o = run(List.of("snapshots", "--json", "--host", host, "--tag", "groupsnap," + tags), null,
        line -> {
          if (out.length() < 16 * 1024 * 1024) {
            out.append(line).append('\n');
          }
        });
    if (!o.ok()) {
      throw failure("snapshots", o);
    }
    List<JsonNode> found = new ArrayList<>();
    try {
      JsonNode all = JSON.readTree(out.toString());
      if (all != null && all.isArray()) {
        all.forEach(found::add);
      }
    } catch (IOException e) {
      throw new ExportException("restic snapshots on repository " + shownRepository + " printed no JSON list");
    }
    return found;
  }

  private void init() throws ExportException, InterruptedException {
    ExportProcess.Outcome o = run(List.of("init"), null, line -> { });
    if (!o.ok()) {
      throw new ExportException("cannot create repository " + shownRepository + ": " + o.lastErrorLine());
    }
  }

  private void checkPasswordFile() throws ExportException {
    try {
      SecretFiles.read(config.passwordFile());
    } catch (CredentialsFileException e) {
      throw new ExportException("password file of export target " + config.name() + ": " + e.getMessage());
    }
  }

  private ExportProcess.Outcome run(List<String> args, Path workDir, java.util.function.Consumer<String> onLine)
      throws ExportException, InterruptedException {
    if (restic == null || !Files.isExecutable(restic)) {
      throw new ExportException("restic not installed" + (restic == null ? "" : " (" + restic + " is missing)"));
    }
    List<String> argv = new ArrayList<>();
    if (nice != null && config.nice() != 0) {
      argv.addAll(List.of(nice.toString(), "-n", Integer.toString(config.nice())));
    }
    argv.addAll(List.of(restic.toString(), "-r", config.repository(), "--password-file",
        config.passwordFile().toString(), "--cache-dir", cacheDir.toString()));
    argv.addAll(args);
    try {
      Files.createDirectories(cacheDir);
      return ExportProcess.run(argv, workDir, ENV, config.timeout(), onLine, ledger);
    } catch (IOException e) {
      throw new ExportException("cannot run restic: " + e.getMessage());
    }
  }

  /** Whether the repository answers at all ({@code restic cat config}); false only when it does not exist. */
  private boolean repositoryExists() throws ExportException, InterruptedException {
    ExportProcess.Outcome o = run(List.of("cat", "config"), null, line -> { });
    if (o.ok()) {
      return true;
    }
    if (missingRepository(o)) {
      return false;
    }
    throw failure("cat config", o);
  }

  private static boolean missingRepository(ExportProcess.Outcome o) {
    return o.exitCode() == 10 || o.errorLines().stream().anyMatch(l -> l.contains("Is there a repository at")
        || l.contains("unable to open config file"));
  }

  private ExportException failure(String what, ExportProcess.Outcome o) {
    if (o.timedOut()) {
      return new ExportException("restic " + what + " on repository " + shownRepository + " timed out after "
          + Durations.format(config.timeout()));
    }
    if (missingRepository(o)) {
      return new ExportException("repository " + shownRepository + " does not exist"
          + (config.createIfMissing() ? "" : " (restic init it, or set createIfMissing: true)"));
    }
    if (o.exitCode() == 12 || o.errorLines().stream().anyMatch(l -> l.contains("wrong password"))) {
      return new ExportException("wrong password for repository " + shownRepository + " (password file "
          + config.passwordFile() + ")");
    }
    return new ExportException("restic " + what + " on repository " + shownRepository + " failed: "
        + o.lastErrorLine());
  }

  private static JsonNode json(String line) {
    String s = line.strip();
    if (!s.startsWith("{")) {
      return null;
    }
    try {
      return JSON.readTree(s);
    } catch (IOException e) {
      return null;
    }
  }

  /** The repository as shown in messages: a password in a URL's user part is hidden. */
  static String shown(String repository) {
    return repository.replaceAll("://([^/:@]*):[^/@]*@", "://$1:***@");
  }
}
