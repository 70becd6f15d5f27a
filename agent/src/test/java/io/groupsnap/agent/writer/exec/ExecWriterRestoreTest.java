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
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore events of an exec writer (what stops and starts the application around an in-place restore): the
 * commands or hooks are told the restore, the group snapshot and the outcome; a writer told nothing refuses; a
 * pre-restore that fails starts again what it had stopped.
 */
class ExecWriterRestoreTest {
  @TempDir Path tmp;
  final Writer.RestoreContext restore = new Writer.RestoreContext("rs-1", "gs-9", 5, Set.of("data"));

  private Path script(String name, String body) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  private List<String> lines(Path p) throws Exception {
    return Files.exists(p) ? Files.readAllLines(p) : List.of();
  }

  private ExecWriter commands(List<String> pre, List<String> post) {
    return new ExecWriter(new WriterConfig("app", "exec", 0, Set.of(), Duration.ofSeconds(10), Map.of()),
        new ExecWriterOptions(List.of(), List.of("/bin/true"), List.of("/bin/true"), List.of(), Set.of(75), null, pre,
            post), tmp.resolve("state"));
  }

  @Test
  void commands_areToldTheRestoreAndItsOutcome_inTheirEnvironment() throws Exception {
    Path out = tmp.resolve("out.txt");
    Path rec = script("rec", "echo \"$1 $GROUPSNAP_PHASE $GROUPSNAP_RESTORE $GROUPSNAP_GROUP_SNAPSHOT $GROUPSNAP_EPOCH "
        + "$GROUPSNAP_VOLUMES ${GROUPSNAP_RESTORED:-unset}\" >> " + out);
    ExecWriter w = commands(List.of(rec.toString(), "stop"), List.of(rec.toString(), "start"));
    assertThat(w.preRestore(restore).ok()).isTrue();
    assertThat(w.postRestore(restore, true).ok()).isTrue();
    assertThat(w.postRestore(restore, false).ok()).isTrue();
    assertThat(lines(out)).containsExactly(
        "stop pre-restore rs-1 gs-9 5 data unset",
        "start post-restore rs-1 gs-9 5 data true",
        "start post-restore rs-1 gs-9 5 data false");
  }

  @Test
  void aWriterWithoutRestoreCommands_refusesAnInPlaceRestore() {
    WriterResult r = commands(List.of(), List.of()).preRestore(restore);
    assertThat(r.outcome()).isEqualTo(WriterResult.Outcome.NON_RETRYABLE);
    assertThat(r.reason()).contains("exec writer app has no preRestore command");
  }

  @Test
  void aFailingPreRestoreHook_refuses_andTheHooksItStoppedAreStartedAgain_inReverse() throws Exception {
    Path hooks = Files.createDirectories(tmp.resolve("hooks.d"));
    Path calls = tmp.resolve("calls.txt");
    for (String name : List.of("10-cache", "20-db", "30-web")) {
      Path h = hooks.resolve(name);
      Files.writeString(h, "#!/bin/sh\necho \"" + name + ":$1:${GROUPSNAP_RESTORED:-}\" >> '" + calls + "'\n"
          + (name.equals("20-db") ? "[ \"$1\" = pre-restore ] && exit 4\n" : "") + "exit 0\n");
      Files.setPosixFilePermissions(h, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    ExecWriter w = new ExecWriter(new WriterConfig("app", "exec", 0, Set.of(), Duration.ofSeconds(10),
        Map.of("hookDir", hooks.toString())), ExecWriterOptions.hooks(hooks), tmp.resolve("state"));

    WriterResult r = w.preRestore(restore);
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("pre-restore hook 20-db exited 4");
    assertThat(lines(calls)).containsExactly("10-cache:pre-restore:", "20-db:pre-restore:",
        "20-db:post-restore:false", "10-cache:post-restore:false");
    assertThat(w.postRestore(restore, false).ok()).as("nothing left to start: the refusal did").isTrue();
    assertThat(lines(calls)).hasSize(4);

    Files.writeString(hooks.resolve("20-db"), "#!/bin/sh\necho \"20-db:$1:${GROUPSNAP_RESTORED:-}\" >> '" + calls
        + "'\n");
    Files.writeString(calls, "");
    assertThat(w.preRestore(restore).ok()).isTrue();
    assertThat(w.postRestore(restore, true).ok()).isTrue();
    assertThat(lines(calls)).containsExactly("10-cache:pre-restore:", "20-db:pre-restore:", "30-web:pre-restore:",
        "30-web:post-restore:true", "20-db:post-restore:true", "10-cache:post-restore:true");
  }

  @Test
  void config_takesBothRestoreCommands_orNeither_andNotWithAHookDir() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    String base = "insecure: true\nagentId: host-a\nsnapshotRoot: " + tmp.resolve("snaps") + "\nvolumes:\n"
        + "  - name: data\n    kind: dir\n    path: " + data + "\nwriters:\n  - name: app\n    kind: exec\n";
    String freezeThaw = "    freeze: [/bin/true]\n    thaw: [/bin/true]\n";
    assertThat(ConfigLoader.parse("agent.yaml", base + freezeThaw + "    preRestore: [/bin/true, stop]\n"
        + "    postRestore: [/bin/true, start]\n").writers().get(0).name()).isEqualTo("app");
    assertThat(error(base + freezeThaw + "    preRestore: [/bin/true]\n"))
        .isEqualTo("agent.yaml: writers[0].postRestore: is required with preRestore (what stops the application for "
            + "an in-place restore, and what starts it again)");
    assertThat(error(base + freezeThaw + "    preRestore: [true]\n    postRestore: [/bin/true]\n"))
        .isEqualTo("agent.yaml: writers[0].preRestore: command 'true' must be an absolute path");
    assertThat(error(base + "    options: {hookDir: " + tmp + "}\n    preRestore: [/bin/true]\n"
        + "    postRestore: [/bin/true]\n")).startsWith("agent.yaml: writers[0].preRestore: cannot be combined with "
            + "options.hookDir");
  }

  private static String error(String yaml) {
    Throwable t = catchThrowable(() -> ConfigLoader.parse("agent.yaml", yaml));
    assertThat(t).isInstanceOf(ConfigException.class);
    return t.getMessage();
  }
}
