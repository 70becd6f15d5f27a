package io.groupsnap.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.cli.Groupsnap;
import io.groupsnap.cli.support.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * {@code bench scale} and {@code bench footprint} are subcommands of {@code bench}, hand their options to the devkit
 * and map its bad-input failures to exit 2 with one line, before anything starts.
 */
class ScaleBenchCommandTest {
  record Result(int exit, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Groupsnap.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void scale_withAMemberCountOutOfRange_exitsTwo_withOneLine() {
    Result r = run("bench", "scale", "--members", "10,0", "-o", "json");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).startsWith("groupsnap: need members between 1 and 5000").endsWith("\n")
        .hasLineCount(1);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void scale_withMoreDeadAgentsThanMembers_exitsTwo() {
    Result r = run("bench", "scale", "--members", "10", "--dead", "10");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--dead");
    assertThat(r.out()).as("no header without a row").isEmpty();
  }

  @Test
  void footprint_withNoRuns_exitsTwo_withOneLine() {
    Result r = run("bench", "footprint", "--runs", "0");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).isEqualTo("groupsnap: need --runs >= 1, a non-negative --idle and --under an existing "
        + "directory\n");
  }
}
