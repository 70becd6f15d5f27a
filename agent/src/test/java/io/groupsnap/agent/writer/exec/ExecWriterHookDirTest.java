package io.groupsnap.agent.writer.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.groupsnap.agent.config.ConfigException;
import io.groupsnap.agent.config.ConfigLoader;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exec writer's hook directory, with real scripts. */
class ExecWriterHookDirTest {
  @TempDir Path tmp;
  Path hooks;
  Path calls;
  final Writer.TxnContext txn = new Writer.TxnContext("gs-7", 3, Set.of("data"));
  final Instant lease = Instant.ofEpochMilli(1_700_000_000_123L);

  @BeforeEach
  void dirs() throws Exception {
    hooks = Files.createDirectories(tmp.resolve("hooks.d"));
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxr-xr-x"));
    calls = tmp.resolve("calls.txt");
  }

  /** A hook that records "name:argument:GROUPSNAP_PHASE", then runs {@code extra} (with $1 the phase). */
  private Path hook(String name, String extra) throws Exception {
    Path p = hooks.resolve(name);
    Files.writeString(p, "#!/bin/sh\necho \"" + name + ":$1:$GROUPSNAP_PHASE\" >> '" + calls + "'\n" + extra + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  private ExecWriter writer(Duration timeout) {
    return new ExecWriter(new WriterConfig("app", "exec", 0, Set.of(), timeout, Map.of("hookDir", hooks.toString())),
        ExecWriterOptions.hooks(hooks), tmp.resolve("state"));
  }

  private List<String> calls() throws Exception {
    return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
  }

  @Test
  void hooksRun_inNameOrder_andInReverseAtThaw_eachToldThePhase() throws Exception {
    hook("20-db", "");
    hook("10-cache", "");
    hook("30-web", "");
    // disabled by their names: never run, even though executable
    hook(".hidden", "");
    hook("15-old~", "");
    hook("25-conf.dpkg-old", "");
    hook("26-x.disabled", "");
    ExecWriter w = writer(Duration.ofSeconds(10));
    assertThat(w.prepare(txn).ok()).isTrue();
    assertThat(w.freeze(txn, lease).ok()).isTrue();
    assertThat(w.thaw(txn).ok()).isTrue();
    assertThat(calls()).containsExactly(
        "10-cache:prepare:prepare", "20-db:prepare:prepare", "30-web:prepare:prepare",
        "10-cache:freeze:freeze", "20-db:freeze:freeze", "30-web:freeze:freeze",
        "30-web:thaw:thaw", "20-db:thaw:thaw", "10-cache:thaw:thaw");
  }

  @Test
  void hooksGetTheTransactionInTheirEnvironment() throws Exception {
    Path env = tmp.resolve("env.txt");
    hook("10-env", "[ \"$1\" = freeze ] && echo \"$GROUPSNAP_TXN|$GROUPSNAP_EPOCH|$GROUPSNAP_VOLUMES|"
        + "$GROUPSNAP_LEASE_DEADLINE_MILLIS\" > '" + env + "'; exit 0");
    ExecWriter w = writer(Duration.ofSeconds(10));
    assertThat(w.prepare(txn).ok()).isTrue();
    assertThat(w.freeze(txn, lease).ok()).isTrue();
    assertThat(Files.readString(env).strip()).isEqualTo("gs-7|3|data|1700000000123");
  }

  @Test
  void aFailingFreezeHook_thawsTheHooksFrozenSoFar_inReverse_andStopsThere() throws Exception {
    hook("10-a", "");
    hook("20-b", "");
    hook("30-c", "[ \"$1\" = freeze ] && exit 4; exit 0");
    hook("40-d", "");
    ExecWriter w = writer(Duration.ofSeconds(10));
    assertThat(w.prepare(txn).ok()).isTrue();
    Files.delete(calls);
    WriterResult r = w.freeze(txn, lease);
    assertThat(r.outcome()).isEqualTo(WriterResult.Outcome.NON_RETRYABLE);
    assertThat(r.reason()).contains("freeze hook 30-c exited 4");
    // the failing hook is thawed too: it may have half-frozen; 40-d never froze, so it is not thawed
    assertThat(calls()).containsExactly("10-a:freeze:freeze", "20-b:freeze:freeze", "30-c:freeze:freeze",
        "30-c:thaw:thaw", "20-b:thaw:thaw", "10-a:thaw:thaw");
    // the agent's thaw afterwards (its undo step) finds nothing left to thaw
    assertThat(w.thaw(txn).ok()).isTrue();
    assertThat(calls()).hasSize(6);
    w.abort(txn);
    assertThat(calls().subList(6, 10)).containsExactly("40-d:abort:abort", "30-c:abort:abort", "20-b:abort:abort",
        "10-a:abort:abort");
  }

  @Test
  void theHooksShareOneTimeout_andTheOneThatExceedsItFailsTheCall() throws Exception {
    hook("10-slow", "[ \"$1\" = freeze ] && exec sleep 0.5; exit 0");
    hook("20-slower", "[ \"$1\" = freeze ] && exec sleep 30; exit 0");
    hook("30-never", "");
    ExecWriter w = writer(Duration.ofMillis(1500));
    assertThat(w.prepare(txn).ok()).isTrue();
    Files.delete(calls);
    long start = System.nanoTime();
    WriterResult r = w.freeze(txn, lease);
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.ok()).isFalse();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("freeze hook 20-slower timed out after (\\d+)ms")
        .matcher(r.reason());
    assertThat(m.find()).as(r.reason()).isTrue();
    // 20-slower was given what 10-slow (0.5 s) left of the 1.5 s, not a full timeout of its own
    assertThat(Long.parseLong(m.group(1))).isLessThanOrEqualTo(1000);
    assertThat(calls()).containsExactly("10-slow:freeze:freeze", "20-slower:freeze:freeze",
        "20-slower:thaw:thaw", "10-slow:thaw:thaw");
    System.out.println("hook freeze that timed out returned after " + tookMs + "ms (timeout 1500ms)");
  }

  @Test
  void theFreezeRunsTheHooksListedAtPrepare_notWhatTheDirectoryHoldsLater() throws Exception {
    hook("10-a", "");
    ExecWriter w = writer(Duration.ofSeconds(10));
    assertThat(w.prepare(txn).ok()).isTrue();
    hook("20-late", "");
    assertThat(w.freeze(txn, lease).ok()).isTrue();
    assertThat(w.thaw(txn).ok()).isTrue();
    assertThat(calls()).containsExactly("10-a:prepare:prepare", "10-a:freeze:freeze", "10-a:thaw:thaw");
  }

  @Test
  void aThawAfterARestart_thawsEveryHookOfTheDirectory_inReverse() throws Exception {
    hook("10-a", "");
    hook("20-b", "");
    WriterResult r = writer(Duration.ofSeconds(10)).thaw(txn); // a fresh writer: it never prepared gs-7
    assertThat(r.ok()).isTrue();
    assertThat(calls()).containsExactly("20-b:thaw:thaw", "10-a:thaw:thaw");
  }

  @Test
  void aFailingThawHook_failsTheThaw_butTheOthersAreStillThawed() throws Exception {
    hook("10-a", "");
    hook("20-b", "[ \"$1\" = thaw ] && exit 9; exit 0");
    ExecWriter w = writer(Duration.ofSeconds(10));
    w.prepare(txn);
    w.freeze(txn, lease);
    WriterResult r = w.thaw(txn);
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("thaw hook 20-b exited 9");
    assertThat(calls()).endsWith("20-b:thaw:thaw", "10-a:thaw:thaw");
  }

  @Test
  void prepare_refusesADirectoryWhoseHooksCannotRun() throws Exception {
    ExecWriter w = writer(Duration.ofSeconds(10));
    assertThat(w.prepare(txn).reason()).isEqualTo("options.hookDir: " + hooks + " contains no hooks (nothing would "
        + "hold the application's writes)");
    Path notExecutable = hooks.resolve("10-forgot-chmod");
    Files.writeString(notExecutable, "#!/bin/sh\n");
    assertThat(w.prepare(txn).reason()).startsWith("options.hookDir: hook " + notExecutable + " is not executable");
    Files.delete(notExecutable);
    Files.createDirectory(hooks.resolve("20-subdir"));
    assertThat(w.prepare(txn).reason()).contains("20-subdir is not a regular file");
    Files.delete(hooks.resolve("20-subdir"));
    hook("30-ok", "");
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThat(w.prepare(txn).reason()).contains("is writable by others");
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.delete(hooks.resolve("30-ok"));
    Files.delete(hooks);
    assertThat(w.prepare(txn).reason()).isEqualTo("options.hookDir: " + hooks + " is not an existing directory");
    assertThat(calls()).isEmpty();
  }

  @Test
  void aFailingPrepareHook_abortsTheHooksPreparedSoFar() throws Exception {
    hook("10-a", "");
    hook("20-b", "[ \"$1\" = prepare ] && exit 75; exit 0");
    hook("30-c", "");
    WriterResult r = writer(Duration.ofSeconds(10)).prepare(txn);
    assertThat(r.outcome()).isEqualTo(WriterResult.Outcome.RETRYABLE);
    assertThat(calls()).containsExactly("10-a:prepare:prepare", "20-b:prepare:prepare", "20-b:abort:abort",
        "10-a:abort:abort");
  }

  @Test
  void hookNames_thatAreDisabled() {
    for (String off : List.of(".x", "a~", "a.bak", "a.orig", "a.swp", "a.disabled", "a.dpkg-new", "a.dpkg-dist",
        "a.ucf-old", "a.rpmsave", "a.rpmnew", "#a#")) {
      assertThat(HookDir.disabled(off)).as(off).isTrue();
    }
    for (String on : List.of("10-db", "db.sh", "a.b", "README")) {
      assertThat(HookDir.disabled(on)).as(on).isFalse();
    }
  }

  @Test
  void config_takesHookDirInsteadOfCommands_butNeverBoth() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    String base = "insecure: true\n"
        + "agentId: host-a\nsnapshotRoot: " + tmp.resolve("snaps") + "\nvolumes:\n  - name: data\n"
        + "    kind: dir\n    path: " + data + "\nwriters:\n  - name: app\n    kind: exec\n";
    assertThat(ConfigLoader.parse("agent.yaml", base + "    options: {hookDir: " + hooks + "}\n").writers().get(0)
        .options()).containsEntry("hookDir", hooks.toString());
    assertThat(error(base + "    freeze: [/bin/true]\n    thaw: [/bin/true]\n    options: {hookDir: " + hooks
        + "}\n")).isEqualTo("agent.yaml: writers[0].freeze: cannot be combined with options.hookDir: use per-phase "
        + "commands or a hook directory, not both");
    assertThat(error(base + "    options: {hookDir: hooks.d}\n"))
        .isEqualTo("agent.yaml: writers[0].options.hookDir: must be an absolute path without '.' or '..' (got "
            + "'hooks.d')");
    assertThat(error(base + "    options: {hookDir: " + hooks + "/../x}\n"))
        .startsWith("agent.yaml: writers[0].options.hookDir: must be an absolute path without");
    assertThat(error(base + "    thaw: [/bin/true]\n"))
        .isEqualTo("agent.yaml: writers[0].freeze: is required (or options.hookDir)");
  }

  private static String error(String yaml) {
    Throwable t = catchThrowable(() -> ConfigLoader.parse("agent.yaml", yaml));
    assertThat(t).isInstanceOf(ConfigException.class);
    return t.getMessage();
  }
}
