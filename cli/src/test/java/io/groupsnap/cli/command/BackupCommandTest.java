package io.groupsnap.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.cli.Groupsnap;
import io.groupsnap.cli.output.Printer;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.RunEvent;
import io.groupsnap.proto.v1.RunState;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Parsing of {@code groupsnap backup ...} and what {@code run --wait} prints as a run changes. */
class BackupCommandTest {
  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Groupsnap.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  @Test
  void runParsesGroupWaitAndId() {
    CommandLine cl = new CommandLine(new Groupsnap());
    CommandLine.ParseResult r = cl.parseArgs("backup", "run", "db", "--wait", "--id", "run-20261201-100000-abcdef",
        "-o", "json");
    BackupCommand.RunCmd cmd = (BackupCommand.RunCmd) r.subcommand().subcommand().commandSpec().userObject();
    assertThat(cmd.group).isEqualTo("db");
    assertThat(cmd.waitForEnd).isTrue();
    assertThat(cmd.id).isEqualTo("run-20261201-100000-abcdef");
    assertThat(cmd.output.format).isEqualTo(Printer.Format.json);
  }

  @Test
  void listParsesGroupAndAll() {
    CommandLine cl = new CommandLine(new Groupsnap());
    CommandLine.ParseResult r = cl.parseArgs("backup", "list", "--group", "db", "--all");
    BackupCommand.ListCmd cmd = (BackupCommand.ListCmd) r.subcommand().subcommand().commandSpec().userObject();
    assertThat(cmd.group).isEqualTo("db");
    assertThat(cmd.all).isTrue();
  }

  @Test
  void aBadGroupName_isAUsageError_beforeAnyConnection() {
    String[] r = run("backup", "run", "bad/name", "--coordinator", "127.0.0.1:1");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains("group").contains("bad/name");
  }

  @Test
  void aMissingGroup_isAUsageError() {
    String[] r = run("backup", "run");
    assertThat(r[0]).isEqualTo("2");
  }

  @Test
  void followerPrintsOneLinePerChange_andTheEnd() {
    StringWriter s = new StringWriter();
    PrintWriter out = new PrintWriter(s, true);
    BackupCommand.Follower f = new BackupCommand.Follower(new Printer(Printer.Format.text, out), out, false);
    BackupRun r = BackupRun.newBuilder().setId("run-1").setState(RunState.RUN_SNAPSHOTTING)
        .addEvents(RunEvent.newBuilder().setMessage("run started")).build();
    f.seen(r);
    f.seen(r);
    BackupRun exporting = r.toBuilder().setState(RunState.RUN_EXPORTING)
        .addEvents(RunEvent.newBuilder().setMessage("group snapshot gs-1 committed"))
        .addExports(MemberExport.newBuilder().setAgentId("a1").setVolume("data").setState(ExportState.EXPORT_RUNNING)
            .setBytesDone(2048)).build();
    f.seen(exporting);
    BackupRun end = exporting.toBuilder().setState(RunState.RUN_PARTIALLY_FAILED).setReason("1 of 2 exports failed")
        .build();
    f.seen(end);
    f.end(end);
    assertThat(s.toString().lines()).containsExactly("run-1  snapshotting", "  run started", "run-1  exporting",
        "  group snapshot gs-1 committed", "run-1  partially failed",
        "  a1:data  RUNNING  2.0 KiB  0 files  0s", "run-1  partially failed: 1 of 2 exports failed");
  }
}
