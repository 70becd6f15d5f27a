package io.groupsnap.agent.writer.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cgroup writer naming a systemd unit stops it before an in-place restore and starts it after, through systemctl
 * (stood in for: systemd does not run here); one naming only a cgroup directory refuses such a restore.
 */
class CgroupWriterRestoreTest {
  @TempDir Path tmp;
  final Writer.RestoreContext restore = new Writer.RestoreContext("rs-1", "gs-3", 2, Set.of("data"));

  static final class Systemctl implements CommandRunner {
    final List<List<String>> asked = new ArrayList<>();
    int exit;

    @Override
    public Result run(List<String> argv, Duration timeout) {
      asked.add(argv);
      return new Result(exit, "", exit == 0 ? "" : "Job for app.service failed.\n", false);
    }

    @Override
    public Optional<Path> which(String tool) {
      return Optional.of(Path.of("/usr/bin", tool));
    }
  }

  @Test
  void aUnitIsStoppedBeforeAndStartedAfter_andAFailedStopRefusesTheRestore() throws Exception {
    Path running = Files.createDirectories(tmp.resolve("run-systemd-system"));
    Systemctl systemctl = new Systemctl();
    CgroupWriter w = CgroupWriterTest.writer(Map.of("unit", "app.service"), Duration.ofSeconds(5), systemctl,
        running);
    assertThat(w.preRestore(restore)).isEqualTo(WriterResult.OK);
    assertThat(w.postRestore(restore, true)).isEqualTo(WriterResult.OK);
    assertThat(systemctl.asked).containsExactly(List.of("/usr/bin/systemctl", "stop", "--", "app.service"),
        List.of("/usr/bin/systemctl", "start", "--", "app.service"));

    systemctl.exit = 1;
    WriterResult refused = w.preRestore(restore);
    assertThat(refused.outcome()).isEqualTo(WriterResult.Outcome.NON_RETRYABLE);
    assertThat(refused.reason()).isEqualTo("options.unit: systemctl stop app.service: Job for app.service failed.");
  }

  @Test
  void withoutSystemdOrWithOnlyACgroupDirectory_theRestoreIsRefused_andNothingRuns() throws Exception {
    Systemctl systemctl = new Systemctl();
    WriterResult noSystemd = CgroupWriterTest.writer(Map.of("unit", "app.service"), Duration.ofSeconds(5), systemctl,
        tmp.resolve("absent")).preRestore(restore);
    assertThat(noSystemd.reason()).contains("systemd is not running on this host");
    WriterResult dirOnly = CgroupWriterTest.writer(Map.of("cgroup", "/sys/fs/cgroup/app"), Duration.ofSeconds(5),
        systemctl, tmp).preRestore(restore);
    assertThat(dirOnly.outcome()).isEqualTo(WriterResult.Outcome.NON_RETRYABLE);
    assertThat(dirOnly.reason()).startsWith("cgroup writer app names a cgroup directory, not a systemd unit");
    assertThat(systemctl.asked).isEmpty();
  }
}
