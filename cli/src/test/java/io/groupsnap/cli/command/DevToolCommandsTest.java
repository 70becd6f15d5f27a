package io.groupsnap.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.cli.Groupsnap;
import io.groupsnap.cli.support.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's dev, demo and bench commands hand their options to the devkit and map its bad-input failures to 2. */
class DevToolCommandsTest {
  @TempDir Path tmp;

  record Result(int exit, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Groupsnap.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void demoAndBench_refuseOptionsOutOfRange_exitTwo_onOneLine() {
    Result demo = run("demo", "--agents", "1");
    assertThat(demo.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(demo.err()).isEqualTo("groupsnap: need --snapshots >= 1, --naive >= 0, --agents between 2 and 16\n");
    Result bench = run("bench", "--members", "3,0");
    assertThat(bench.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(bench.err()).isEqualTo("groupsnap: need --snapshots >= 1, --files >= 0, members between 1 and 64\n");
  }

  @Test
  void dev_withTooManyAgents_exitsTwo_andCreatesNothing() {
    Path dir = tmp.resolve("dev");
    Result r = run("dev", "--agents", "65", "--data-dir", dir.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).isEqualTo("groupsnap: --agents must be between 1 and 64, got 65\n");
    assertThat(dir).doesNotExist();
  }

  @Test
  void demoOnBtrfs_refusesAMountThatIsNotADirectory_exitTwo() throws Exception {
    Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
    Result r = run("demo", "--btrfs", file.toString(), "--data-dir", tmp.resolve("demo").toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).isEqualTo("groupsnap: --btrfs: " + file + " is not a directory\n");
  }
}
