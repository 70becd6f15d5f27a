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
  void bench_onBothTransports_printsATlsAndAnInsecureRow_andWhatTlsCosts() {
    Result r = run("bench", "--transport", "both", "--members", "1", "--snapshots", "2", "--files", "0");
    assertThat(r.exit()).as(r.err()).isZero();
    String ms = "-?\\d+\\.\\d\\d";
    String pair = " +" + ms + " / " + ms;
    String figures = pair + pair + " +(\\d+\\.\\d|-)" + pair + pair;
    assertThat(r.out().lines().toList()).satisfiesExactly(
        header -> assertThat(header).contains("members", "transport", "floor p50/p99", "window p50/p99", "ratio",
            "overhead p50/p99", "create>commit p50/p99"),
        tls -> assertThat(tls).matches("1 +tls" + figures),
        insecure -> assertThat(insecure).matches("1 +insecure" + figures),
        cost -> assertThat(cost).startsWith("1        tls-cost"),
        legend -> assertThat(legend).startsWith("floor: "));
  }

  @Test
  void bench_refusesAnUnknownTransport_exitTwo() {
    Result r = run("bench", "--transport", "quic");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--transport").contains("quic");
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
