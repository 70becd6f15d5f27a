package io.groupsnap.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.cli.Groupsnap;
import io.groupsnap.cli.output.InPlaceView;
import io.groupsnap.proto.v1.InPlaceMember;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.RestoreInPlaceRequest;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.SwitchState;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code restore ID --in-place} and the subcommands confirm, rollback, show and list, parsed and checked offline. */
class InPlaceRestoreCommandTest {
  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Groupsnap.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  private static CommandLine.ParseResult parse(String... args) {
    return new CommandLine(new Groupsnap()).parseArgs(args);
  }

  @Test
  void inPlaceParsesKeepAndDryRun_intoTheRequest() throws Exception {
    RestoreCommand cmd = (RestoreCommand) parse("restore", "gs-1", "--in-place", "--keep", "2h", "--dry-run")
        .subcommand().commandSpec().userObject();
    RestoreInPlaceRequest req = cmd.inPlaceRequest();
    assertThat(req.getGroupSnapshotId()).isEqualTo("gs-1");
    assertThat(req.getKeepSeconds()).isEqualTo(7200);
    assertThat(req.getDryRun()).isTrue();
    RestoreCommand byRun = (RestoreCommand) parse("restore", "run-1", "--run", "--in-place").subcommand()
        .commandSpec().userObject();
    assertThat(byRun.inPlaceRequest().getBackupRunId()).isEqualTo("run-1");
    assertThat(byRun.inPlaceRequest().getKeepSeconds()).isZero();
  }

  @Test
  void restoreToANewPlace_stillTakesItsPositionalId() throws Exception {
    RestoreCommand cmd = (RestoreCommand) parse("restore", "gs-1", "--to", "/r").subcommand().commandSpec()
        .userObject();
    assertThat(cmd.request().getTo()).isEqualTo("/r");
    assertThat(cmd.inPlace).isFalse();
  }

  @Test
  void theSubcommands_takeTheRestoreId() {
    CommandLine.ParseResult confirm = parse("restore", "confirm", "inplace-1").subcommand().subcommand();
    assertThat(((InPlaceCommands.Confirm) confirm.commandSpec().userObject()).restoreId).isEqualTo("inplace-1");
    CommandLine.ParseResult rollback = parse("restore", "rollback", "inplace-2").subcommand().subcommand();
    assertThat(((InPlaceCommands.Rollback) rollback.commandSpec().userObject()).restoreId).isEqualTo("inplace-2");
    CommandLine.ParseResult show = parse("restore", "show", "inplace-3", "-o", "json").subcommand().subcommand();
    assertThat(((InPlaceCommands.Show) show.commandSpec().userObject()).restoreId).isEqualTo("inplace-3");
    assertThat(parse("restore", "list").subcommand().subcommand().commandSpec().userObject())
        .isInstanceOf(InPlaceCommands.ListRestores.class);
  }

  @Test
  void inPlaceWithToTargetOrABadKeep_isAUsageErrorNamingTheArgument_beforeAnyConnection() {
    String[] r = run("restore", "gs-1", "--in-place", "--to", "/r", "--coordinator", "127.0.0.1:1");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains("--to cannot be combined with --in-place");
    r = run("restore", "gs-1", "--in-place", "--target", "a1:db=/x", "--coordinator", "127.0.0.1:1");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains("--target cannot be combined with --in-place");
    r = run("restore", "gs-1", "--in-place", "--keep", "soon", "--coordinator", "127.0.0.1:1");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains("--keep 'soon'");
    r = run("restore", "gs-1", "--keep", "1h", "--coordinator", "127.0.0.1:1");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains("--keep applies to --in-place only");
    r = run("restore", "confirm", "bad/id", "--coordinator", "127.0.0.1:1");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains("restore id").contains("bad/id");
  }

  @Test
  void aNegativeKeep_saysItMustBePositive_andARestoreToNewPlacesId_isPointedToTheAuditLog() {
    String[] r = run("restore", "gs-1", "--in-place", "--keep", "-1", "--coordinator", "127.0.0.1:1");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains("--keep '-1': duration '-1' must be positive");
    for (String sub : new String[] {"show", "confirm", "rollback"}) {
      r = run("restore", sub, "restore-20261203-195710-325e58", "--coordinator", "127.0.0.1:1");
      assertThat(r[0]).isEqualTo("2");
      assertThat(r[2]).contains("restore id 'restore-20261203-195710-325e58' names a restore to new places")
          .contains("groupsnap audit list").doesNotContain("cannot reach");
    }
    r = run("restore", "show", "verify-20261203-195710-325e58", "--coordinator", "127.0.0.1:1");
    assertThat(r[2]).contains("names a test restore");
  }

  @Test
  void theTextView_namesTheStateTheReasonAndEachMember() {
    StringWriter s = new StringWriter();
    InPlaceView.text(InPlaceRestore.newBuilder().setRestoreId("inplace-1").setGroupSnapshotId("gs-1")
        .setState(InPlaceState.IN_PLACE_CANCELLED).setReason("agent a2 failed to stage volume db: no space")
        .addMembers(InPlaceMember.newBuilder().setAgentId("a1").setVolume("db").setStage(RestoreState.RESTORE_DONE)
            .setSwitched(SwitchState.SWITCH_OLD).setLive("/data/db")).build(), new PrintWriter(s, true), false);
    assertThat(s.toString().lines()).first().isEqualTo("in-place restore inplace-1 of gs-1: CANCELLED");
    assertThat(s.toString()).contains("reason: agent a2 failed to stage volume db: no space")
        .containsPattern("a1:db\\s+done\\s+old\\s+");
  }
}
