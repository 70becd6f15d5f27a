package io.groupsnap.agent.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.groupsnap.agent.volume.ArgvTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kind exec with real scripts: argument vectors without a shell, the printed id, failures in one line. */
class ExecTargetTest {
  @TempDir Path tmp;
  Path capture;
  Path backups;

  @BeforeEach
  void setUp() throws Exception {
    capture = Files.createDirectories(tmp.resolve("caps/gs 1; rm -rf $(HOME)/data"));
    Files.writeString(capture.resolve("f.txt"), "contents\n");
    backups = Files.createDirectories(tmp.resolve("backups"));
  }

  /** A script: records its arguments one per line in {@code <backups>/args}, copies $1 into $2, prints an id. */
  static Path copier(Path dir, Path backups) throws Exception {
    return script(dir.resolve("copy.sh"), "#!/bin/sh\nset -e\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '"
        + backups + "/args'\nmkdir -p \"$2\"\ncp -R \"$1/.\" \"$2\"\necho copying done\necho \"id-$3\"\n\n");
  }

  static Path script(Path file, String text) throws Exception {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    return file;
  }

  static ExecTarget target(List<String> command, List<String> forget) {
    return new ExecTarget(new ExportTargetConfig.Exec("copy", ArgvTemplate.of(command,
        ExportTargetConfig.Exec.EXPORT_PLACEHOLDERS), forget == null ? null : ArgvTemplate.of(forget,
        ExportTargetConfig.Exec.FORGET_PLACEHOLDERS), Duration.ofMinutes(1)));
  }

  @Test
  void placeholders_areSingleArguments_andTheLastLinePrintedIsTheId() throws Exception {
    Path copy = copier(tmp, backups);
    ExecTarget t = target(List.of(copy.toString(), "{path}", backups + "/{group}/{run}/{member}",
        "{snapshot}-{volume}", "{agent}"), null);

    ExportTarget.Result r = t.export(new ExportTarget.Job("host-a", "shop", "run-1", "gs-1", "data", capture),
        ExportTarget.Progress.NONE);

    assertThat(r.repositorySnapshotId()).isEqualTo("id-gs-1-data");
    assertThat(Files.readAllLines(backups.resolve("args"))).containsExactly(capture.toString(),
        backups + "/shop/run-1/host-a:data", "gs-1-data", "host-a");
    assertThat(backups.resolve("shop/run-1/host-a:data/f.txt")).hasContent("contents");
    assertThat(tmp.resolve("caps")).exists(); // nothing interpreted the '; rm -rf' in the path
  }

  @Test
  void aFailingCommand_failsWithItsLastErrorLine() throws Exception {
    Path fail = script(tmp.resolve("fail.sh"), "#!/bin/sh\necho starting\necho 'warming up' >&2\n"
        + "echo 'borg: repository locked' >&2\nexit 4\n");
    ExportException e = catchThrowableOfType(ExportException.class, () -> target(List.of(fail.toString(),
        "{path}"), null).export(new ExportTarget.Job("host-a", "shop", "run-1", "gs-1", "data", capture),
        ExportTarget.Progress.NONE));
    assertThat(e).hasMessage("export command " + fail + " failed (exit code 4): borg: repository locked");
  }

  @Test
  void aCommandGoneSinceLoad_isOneLineNamingIt() {
    Path gone = tmp.resolve("gone.sh");
    ExportException e = catchThrowableOfType(ExportException.class, () -> target(List.of(gone.toString()), null)
        .export(new ExportTarget.Job("host-a", "shop", "run-1", "gs-1", "data", capture),
            ExportTarget.Progress.NONE));
    assertThat(e).hasMessage("export command " + gone + " of export target copy does not exist or is not "
        + "executable");
  }

  @Test
  void forget_runsOncePerExportedCapture_withItsId() throws Exception {
    Path log = tmp.resolve("forgotten");
    Path forget = script(tmp.resolve("forget.sh"), "#!/bin/sh\nprintf '%s|%s|%s\\n' \"$1\" \"$2\" \"$3\" >> '"
        + log + "'\n");
    ExecTarget t = target(List.of("/bin/true"), List.of(forget.toString(), "{id}", "{member}", "{run}"));
    int n = t.forget(new ExportTarget.Forget("host-a", "shop", "run-1", "gs-1", List.of()),
        List.of(new ExportTarget.Exported("data", "id 1"), new ExportTarget.Exported("logs", "id-2")));
    assertThat(n).isEqualTo(2);
    assertThat(Files.readAllLines(log)).containsExactly("id 1|host-a:data|run-1", "id-2|host-a:logs|run-1");
    assertThat(target(List.of("/bin/true"), null).forget(new ExportTarget.Forget("host-a", "shop", "run-1", "gs-1",
        List.of()), List.of(new ExportTarget.Exported("data", "x")))).isZero();
  }
}
