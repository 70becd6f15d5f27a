package io.groupsnap.agent.writer.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exec writer in session mode ({@code options.mode: session}), with real sh hooks speaking the protocol. */
class ExecWriterSessionTest {
  @TempDir Path tmp;
  Path hooks;
  Path calls;
  final Writer.TxnContext txn = new Writer.TxnContext("gs-7", 3, Set.of("data"));
  final Instant lease = Instant.ofEpochMilli(1_700_000_000_123L);
  final List<ExecWriter> writers = new ArrayList<>();

  @BeforeEach
  void dirs() throws Exception {
    hooks = Files.createDirectories(tmp.resolve("hooks.d"));
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxr-xr-x"));
    calls = tmp.resolve("calls.txt");
  }

  /** What a hook does for one word; the default answers ok. */
  record Script(String ready, String freeze, String thaw, String abort) {
    static Script plain() {
      return new Script("echo ready", "echo ok", "echo ok", "echo ok");
    }

    Script freeze(String f) {
      return new Script(ready, f, thaw, abort);
    }

    Script ready(String r) {
      return new Script(r, freeze, thaw, abort);
    }
  }

  /** A session hook that records "name:what:pid" for its start, each word it reads and the end of its input. */
  private Path hook(Path p, Script s) throws Exception {
    String name = p.getFileName().toString();
    Files.writeString(p, "#!/bin/sh\n"
        + "log() { echo \"" + name + ":$1:$$\" >> '" + calls + "'; }\n"
        + "log \"start $1 $GROUPSNAP_PHASE $GROUPSNAP_SESSION $GROUPSNAP_TXN $GROUPSNAP_VOLUMES\"\n"
        + s.ready() + "\n"
        + "while read cmd; do\n"
        + "  log \"$cmd\"\n"
        + "  case \"$cmd\" in\n"
        + "    freeze) " + s.freeze() + " ;;\n"
        + "    thaw) " + s.thaw() + " ;;\n"
        + "    abort) " + s.abort() + " ;;\n"
        + "    *) echo \"error unknown word $cmd\" ;;\n"
        + "  esac\n"
        + "done\n"
        + "log eof\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  private Path hook(String name, Script s) throws Exception {
    return hook(hooks.resolve(name), s);
  }

  private ExecWriter hookWriter(Duration timeout) {
    return track(new ExecWriter(new WriterConfig("app", "exec", 0, Set.of(), timeout,
        Map.of("hookDir", hooks.toString(), "mode", "session")), ExecWriterOptions.sessionHooks(hooks),
        tmp.resolve("state")));
  }

  private ExecWriter track(ExecWriter w) {
    writers.add(w);
    return w;
  }

  /** The calls without their pids. */
  private List<String> calls() throws Exception {
    return lines().stream().map(l -> l.substring(0, l.lastIndexOf(':'))).toList();
  }

  private List<String> lines() throws Exception {
    return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
  }

  /** The pids the lines of hook {@code name} were written by. */
  private Set<Long> pidsOf(String name) throws Exception {
    return Set.copyOf(lines().stream().filter(l -> l.startsWith(name + ":"))
        .map(l -> Long.parseLong(l.substring(l.lastIndexOf(':') + 1))).toList());
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  @Test
  void hooksStartAtPrepare_areToldFreezeInNameOrder_andThawInReverse_thenExit() throws Exception {
    hook("20-db", Script.plain());
    hook("10-cache", Script.plain());
    ExecWriter w = hookWriter(Duration.ofSeconds(10));
    assertThat(w.prepare(txn).ok()).isTrue();
    List<Long> pids = w.sessionPids(txn.txnId());
    assertThat(pids).hasSize(2).allMatch(ExecWriterSessionTest::alive);
    // both started (concurrently) before any word
    assertThat(calls()).containsExactlyInAnyOrder("10-cache:start session session 1 gs-7 data",
        "20-db:start session session 1 gs-7 data");
    assertThat(w.freeze(txn, lease).ok()).isTrue();
    assertThat(w.thaw(txn).ok()).isTrue();
    assertThat(calls().subList(2, calls().size())).containsExactly("10-cache:freeze", "20-db:freeze", "20-db:thaw",
        "20-db:eof", "10-cache:thaw", "10-cache:eof");
    // one process per hook for the whole transaction, and the ones the writer started
    assertThat(pidsOf("10-cache")).containsExactly(pids.get(0));
    assertThat(pidsOf("20-db")).containsExactly(pids.get(1));
    assertThat(pids).noneMatch(ExecWriterSessionTest::alive);
    // an abort after the thaw tells nobody anything
    w.abort(txn);
    assertThat(calls()).hasSize(8);
  }

  @Test
  void theSessionCommand_isOneProcessPerTransaction() throws Exception {
    Path cmd = hook(tmp.resolve("app-hook"), Script.plain());
    ExecWriter w = track(new ExecWriter(new WriterConfig("app", "exec", 0, Set.of(), Duration.ofSeconds(10),
        Map.of("mode", "session")), ExecWriterOptions.session(List.of(cmd.toString(), "session")),
        tmp.resolve("state")));
    Writer.TxnContext second = new Writer.TxnContext("gs-8", 3, Set.of("data"));
    for (Writer.TxnContext t : List.of(txn, second)) {
      assertThat(w.prepare(t).ok()).isTrue();
      assertThat(w.freeze(t, lease).ok()).isTrue();
      assertThat(w.thaw(t).ok()).isTrue();
    }
    assertThat(calls()).containsExactly("app-hook:start session session 1 gs-7 data", "app-hook:freeze",
        "app-hook:thaw", "app-hook:eof", "app-hook:start session session 1 gs-8 data", "app-hook:freeze",
        "app-hook:thaw", "app-hook:eof");
    assertThat(pidsOf("app-hook")).hasSize(2);
  }

  @Test
  void aHookAnsweringError_failsTheFreeze_andTheHooksToldFreezeSoFarAreThawed() throws Exception {
    hook("10-a", Script.plain());
    hook("20-b", Script.plain().freeze("echo 'error disk full'"));
    hook("30-c", Script.plain());
    ExecWriter w = hookWriter(Duration.ofSeconds(10));
    assertThat(w.prepare(txn).ok()).isTrue();
    List<Long> pids = w.sessionPids(txn.txnId());
    WriterResult r = w.freeze(txn, lease);
    assertThat(r.outcome()).isEqualTo(WriterResult.Outcome.NON_RETRYABLE);
    assertThat(r.reason()).isEqualTo("freeze hook 20-b: disk full");
    assertThat(calls().subList(3, calls().size())).containsExactly("10-a:freeze", "20-b:freeze", "30-c:abort",
        "30-c:eof", "20-b:thaw", "20-b:eof", "10-a:thaw", "10-a:eof");
    // the agent's own thaw afterwards (its undo step) gets the answer of that thaw; the abort tells nobody
    assertThat(w.thaw(txn).ok()).isTrue();
    w.abort(txn);
    assertThat(calls()).hasSize(11);
    assertThat(pids).noneMatch(ExecWriterSessionTest::alive);
  }

  @Test
  void aHookThatNeverAnswers_isKilled_withWhatItStarted_andTheOthersAreThawed() throws Exception {
    Path child = tmp.resolve("child.pid");
    hook("10-a", Script.plain());
    hook("20-stuck", Script.plain().freeze("sleep 60 & echo $! > '" + child + "'; wait"));
    ExecWriter w = hookWriter(Duration.ofSeconds(1));
    assertThat(w.prepare(txn).ok()).isTrue();
    List<Long> pids = w.sessionPids(txn.txnId());
    WriterResult r = w.freeze(txn, lease);
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).startsWith("freeze hook 20-stuck did not answer freeze within ").contains("killed");
    assertThat(calls()).endsWith("10-a:freeze", "20-stuck:freeze", "10-a:thaw", "10-a:eof");
    assertThat(pids).noneMatch(ExecWriterSessionTest::alive);
    long sleeper = Long.parseLong(Files.readString(child).strip());
    await().atMost(Duration.ofSeconds(10)).until(() -> !alive(sleeper));
  }

  @Test
  void aHookThatExitedBeforeFreeze_failsTheFreeze() throws Exception {
    hook("10-a", Script.plain());
    hook("20-quits", Script.plain().ready("echo ready; log quit; exit 0"));
    ExecWriter w = hookWriter(Duration.ofSeconds(10));
    assertThat(w.prepare(txn).ok()).isTrue();
    long quitter = w.sessionPids(txn.txnId()).get(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> !alive(quitter));
    WriterResult r = w.freeze(txn, lease);
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("hook 20-quits");
    assertThat(calls()).endsWith("10-a:freeze", "10-a:thaw", "10-a:eof");
    assertThat(w.sessionPids(txn.txnId())).noneMatch(ExecWriterSessionTest::alive);
  }

  @Test
  void aHookThatDiesWhileFrozen_makesTheThawNotOk() throws Exception {
    hook("10-a", Script.plain());
    hook("20-dies", Script.plain().freeze("echo ok; log died; exit 3"));
    ExecWriter w = hookWriter(Duration.ofSeconds(10));
    assertThat(w.prepare(txn).ok()).isTrue();
    assertThat(w.freeze(txn, lease).ok()).isTrue();
    long dead = w.sessionPids(txn.txnId()).get(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> !alive(dead));
    WriterResult r = w.thaw(txn);
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("thaw hook 20-dies");
    assertThat(calls()).endsWith("10-a:thaw", "10-a:eof");
  }

  @Test
  void anAbortAfterPrepare_isSentToEveryHook_whichThenExit() throws Exception {
    hook("10-a", Script.plain());
    hook("20-b", Script.plain());
    ExecWriter w = hookWriter(Duration.ofSeconds(10));
    assertThat(w.prepare(txn).ok()).isTrue();
    List<Long> pids = w.sessionPids(txn.txnId());
    w.abort(txn);
    assertThat(calls().subList(2, calls().size())).containsExactly("20-b:abort", "20-b:eof", "10-a:abort",
        "10-a:eof");
    assertThat(pids).noneMatch(ExecWriterSessionTest::alive);
    assertThat(w.freeze(txn, lease).reason()).contains("has no session of this writer");
  }

  @Test
  void aHookRefusingAtStart_failsThePrepare_andTheOthersAreAborted() throws Exception {
    hook("10-a", Script.plain());
    hook("20-no", Script.plain().ready("echo 'error not today'"));
    ExecWriter w = hookWriter(Duration.ofSeconds(10));
    WriterResult r = w.prepare(txn);
    assertThat(r.reason()).isEqualTo("prepare hook 20-no: not today");
    assertThat(calls()).contains("10-a:abort", "10-a:eof", "20-no:abort", "20-no:eof");
    assertThat(calls()).noneMatch(c -> c.endsWith(":freeze"));
  }

  @Test
  void theLeaseWatchdogsThaw_whileFrozen_thawsOnce_andTheAgentsThawGetsItsAnswer() throws Exception {
    hook("10-a", Script.plain());
    ExecWriter w = hookWriter(Duration.ofSeconds(10));
    assertThat(w.prepare(txn).ok()).isTrue();
    assertThat(w.freeze(txn, lease).ok()).isTrue();
    WriterResult byWatchdog = CompletableFuture.supplyAsync(() -> w.thaw(txn)).join();
    assertThat(byWatchdog.ok()).isTrue();
    assertThat(w.thaw(txn).ok()).isTrue();
    assertThat(calls().subList(1, calls().size())).containsExactly("10-a:freeze", "10-a:thaw", "10-a:eof");
  }

  @Test
  void aThawWhileAHookIsFreezing_thawsItWhenItAnswers_andNoLaterHookFreezes() throws Exception {
    Path go = tmp.resolve("go");
    hook("10-a", Script.plain());
    hook("20-slow", Script.plain().freeze("while [ ! -e '" + go + "' ]; do sleep 0.05; done; echo ok"));
    hook("30-c", Script.plain());
    ExecWriter w = hookWriter(Duration.ofSeconds(30));
    assertThat(w.prepare(txn).ok()).isTrue();
    CompletableFuture<WriterResult> freeze = CompletableFuture.supplyAsync(() -> w.freeze(txn, lease));
    await().atMost(Duration.ofSeconds(10)).until(() -> calls().contains("20-slow:freeze"));
    AtomicReference<WriterResult> thawed = new AtomicReference<>();
    Thread watchdog = new Thread(() -> thawed.set(w.thaw(txn)), "test-lease-watchdog");
    watchdog.start();
    // the watchdog's thaw waits for 20-slow's answer to freeze
    await().atMost(Duration.ofSeconds(10)).until(() -> calls().contains("30-c:eof")
        && watchdog.getState() == Thread.State.BLOCKED);
    Files.createFile(go);
    watchdog.join();
    assertThat(thawed.get().ok()).isTrue();
    assertThat(freeze.join().reason()).isEqualTo("released before hook 30-c froze");
    assertThat(calls().subList(3, calls().size())).containsExactly("10-a:freeze", "20-slow:freeze", "30-c:abort",
        "30-c:eof", "20-slow:thaw", "20-slow:eof", "10-a:thaw", "10-a:eof");
  }

  @Test
  void closingTheWriter_endsTheSessionsStillOpen() throws Exception {
    hook("10-a", Script.plain());
    ExecWriter w = hookWriter(Duration.ofSeconds(10));
    assertThat(w.prepare(txn).ok()).isTrue();
    List<Long> pids = w.sessionPids(txn.txnId());
    w.close();
    assertThat(calls().subList(1, calls().size())).containsExactly("10-a:abort", "10-a:eof");
    assertThat(pids).noneMatch(ExecWriterSessionTest::alive);
    assertThat(w.prepare(txn).reason()).isEqualTo("exec writer app is closing");
  }

  @Test
  void config_modeSession_takesTheFreezeCommandAlone_orAHookDir() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    String base = "insecure: true\n"
        + "agentId: host-a\nsnapshotRoot: " + tmp.resolve("snaps") + "\nvolumes:\n  - name: data\n"
        + "    kind: dir\n    path: " + data + "\nwriters:\n  - name: app\n    kind: exec\n";
    assertThat(ConfigLoader.parse("agent.yaml", base + "    freeze: [/bin/true, session]\n"
        + "    options: {mode: session}\n").writers().get(0).options()).containsEntry("mode", "session");
    assertThat(ConfigLoader.parse("agent.yaml", base + "    options: {mode: session, hookDir: " + hooks + "}\n")
        .writers()).hasSize(1);
    assertThat(error(base + "    freeze: [/bin/true]\n    options: {mode: sessions}\n"))
        .isEqualTo("agent.yaml: writers[0].options.mode: unknown mode 'sessions' (known: process, session)");
    assertThat(error(base + "    freeze: [/bin/true]\n    thaw: [/bin/true]\n    options: {mode: session}\n"))
        .isEqualTo("agent.yaml: writers[0].thaw: cannot be combined with options.mode session: the session command "
            + "(freeze) is told freeze, thaw and abort on its input");
    assertThat(error(base + "    options: {mode: session}\n"))
        .isEqualTo("agent.yaml: writers[0].freeze: is required (the session command, with options.mode session; "
            + "or options.hookDir)");
  }

  @org.junit.jupiter.api.AfterEach
  void closeWriters() {
    writers.forEach(ExecWriter::close);
  }

  private static String error(String yaml) {
    Throwable t = catchThrowable(() -> ConfigLoader.parse("agent.yaml", yaml));
    assertThat(t).isInstanceOf(ConfigException.class);
    return t.getMessage();
  }
}
