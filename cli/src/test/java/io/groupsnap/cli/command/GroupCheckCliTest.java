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

/**
 * The CLI ends of test restores' group checks: a coordinator settings file with a mistake stops the coordinator in
 * one line before anything starts, and {@code devkit check-cut} judges the demo's ledger across members' copies.
 */
class GroupCheckCliTest {
  @TempDir Path tmp;

  record Result(int exit, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Groupsnap.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void aCoordinatorSettingsFileWithAMistake_isOneLineNamingTheFieldAndExitTwo() throws Exception {
    Path f = tmp.resolve("coordinator.yaml");
    Files.writeString(f, "groupVerify:\n  ledger:\n    command: [/bin/true, \"{paths}\"]\n    timout: 5m\n");
    Result r = run("coordinator", "--zookeeper", "127.0.0.1:1", "--insecure", "--config", f.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).isEqualTo("groupsnap: " + f + ": groupVerify.ledger.timout: unknown field (known: command, "
        + "timeout)\n");
  }

  private Path account(String name, String log, String balance) throws Exception {
    Path d = Files.createDirectories(tmp.resolve(name).resolve("ledger"));
    Files.writeString(d.resolve("log"), log);
    Files.writeString(d.resolve("balance"), balance);
    return d.getParent();
  }

  @Test
  void checkCut_acceptsALedgerThatAddsUpAcrossCopies_andNamesTheMemberThatDoesNot() throws Exception {
    Path a = account("a", "D 1 500 b\n", "999500"); // a transfer to b in flight
    Path b = account("b", "", "1000000");
    Result ok = run("devkit", "check-cut", "a:data=" + a, "b:data=" + b);
    assertThat(ok.exit()).as(ok.err()).isEqualTo(ExitCodes.OK);
    assertThat(ok.out()).isEqualTo("consistent: 2 copies\n");

    Files.writeString(b.resolve("ledger/balance"), "1000700");
    Result bad = run("devkit", "check-cut", "a:data=" + a, "b:data=" + b);
    assertThat(bad.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(bad.out().lines().findFirst()).hasValue("b:data: balance 1000700 does not match its log (1000000)");

    Result usage = run("devkit", "check-cut", "a:data=" + a, "b:data");
    assertThat(usage.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(usage.err()).isEqualTo("groupsnap: 'b:data': expected NAME=PATH\n");
  }
}
