package io.groupsnap.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.cli.command.StandInCoordinator.Result;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import io.groupsnap.proto.v1.MemberState;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code snapshot watch ID} against stand-in coordinators on real sockets, each answering {@code GetGroupSnapshot}
 * with a scripted series of records: changes printed once each, the exit codes of {@code create --wait}, a failover
 * followed, and every wait bounded.
 */
class SnapshotWatchTest {
  static final String ID = "gs-20261121-221315-97d4ac";
  static final ObjectMapper JSON = new ObjectMapper();

  final List<StandInCoordinator> coordinators = new ArrayList<>();
  StandInCoordinator a;

  @BeforeEach
  void start() throws Exception {
    a = coordinator();
  }

  @AfterEach
  void stop() throws Exception {
    for (StandInCoordinator c : coordinators) {
      c.close();
    }
  }

  StandInCoordinator coordinator() throws Exception {
    StandInCoordinator c = new StandInCoordinator();
    coordinators.add(c);
    return c;
  }

  static GroupSnapshot record(GroupSnapshotState state, MemberState one, MemberState two) {
    return GroupSnapshot.newBuilder().setId(ID).setState(state).setEpoch(3)
        .addMembers(MemberRecord.newBuilder().setAgentId("agent-1").setVolume("data").setState(one))
        .addMembers(MemberRecord.newBuilder().setAgentId("agent-2").setVolume("data").setState(two)).build();
  }

  static final GroupSnapshot PREPARING = record(GroupSnapshotState.PREPARING, MemberState.MEMBER_PENDING,
      MemberState.MEMBER_PENDING);
  static final GroupSnapshot COMMITTING = record(GroupSnapshotState.COMMITTING, MemberState.MEMBER_THAWED,
      MemberState.MEMBER_THAWED);
  static final GroupSnapshot COMMITTED = record(GroupSnapshotState.COMMITTED, MemberState.MEMBER_COMMITTED,
      MemberState.MEMBER_COMMITTED);

  static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void anAlreadyCommittedSnapshot_printsItsFinalRecordOnce_andExitsZero_afterOneLook() {
    a.answer(COMMITTED);
    Result r = a.run("snapshot", "watch", ID);
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).startsWith(ID + "  COMMITTED  epoch 3").contains("agent-2").doesNotContain("PREPARING");
    assertThat(count(r.out(), ID)).isEqualTo(1);
    assertThat(r.err()).isEmpty();
    assertThat(a.gets.get()).isEqualTo(1);
  }

  @Test
  void aRunningSnapshot_printsEachChangeOnce_thenTheFinalRecord() {
    GroupSnapshot prepared = record(GroupSnapshotState.PREPARING, MemberState.MEMBER_PREPARED,
        MemberState.MEMBER_PENDING);
    a.answer(PREPARING, PREPARING, prepared, prepared, COMMITTING, COMMITTED);
    Result r = a.run("snapshot", "watch", ID);
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    String[] lines = r.out().split("\n");
    assertThat(lines[0]).isEqualTo(ID + " PREPARING  2 member(s)");
    assertThat(lines[1]).isEqualTo("    agent-1:data             PENDING");
    assertThat(lines[2]).isEqualTo("    agent-2:data             PENDING");
    assertThat(lines[3]).as("only the member that changed").isEqualTo("    agent-1:data             PREPARED");
    assertThat(lines[4]).isEqualTo(ID + " COMMITTING 2 member(s)");
    assertThat(lines[5]).isEqualTo("    agent-1:data             THAWED");
    assertThat(lines[6]).isEqualTo("    agent-2:data             THAWED");
    assertThat(lines[7]).startsWith(ID + "  COMMITTED  epoch 3");
    assertThat(count(r.out(), "PREPARING")).isEqualTo(1);
    assertThat(a.gets.get()).isEqualTo(6);
  }

  @Test
  void asJson_eachChangeIsOneRecordOnOneLine_theLastOneFinal() throws Exception {
    a.answer(PREPARING, PREPARING, COMMITTING, COMMITTED);
    Result r = a.run("snapshot", "watch", ID, "-o", "json");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(3);
    List<String> states = new ArrayList<>();
    for (String line : lines) {
      JsonNode g = JSON.readTree(line);
      assertThat(g.get("id").asText()).isEqualTo(ID);
      assertThat(g.get("members")).hasSize(2);
      states.add(g.get("state").asText());
    }
    assertThat(states).containsExactly("PREPARING", "COMMITTING", "COMMITTED");
  }

  @Test
  void anAbortedSnapshot_exitsThree_withItsReason() {
    GroupSnapshot aborting = PREPARING.toBuilder().setState(GroupSnapshotState.ABORTING)
        .setAbortReason("agent-2 voted no: checkpoint running").build();
    GroupSnapshot aborted = aborting.toBuilder().setState(GroupSnapshotState.ABORTED).build();
    a.answer(PREPARING, aborting, aborted);
    Result r = a.run("snapshot", "watch", ID);
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.ABORTED);
    assertThat(r.out()).contains(ID + " ABORTING   2 member(s); abort reason: agent-2 voted no: checkpoint running")
        .contains(ID + "  ABORTED").contains("  abort reason: agent-2 voted no: checkpoint running");
  }

  @Test
  void aDeletedSnapshot_exitsOne_asCreateWaitDoes() {
    a.answer(COMMITTED.toBuilder().setState(GroupSnapshotState.DELETED).build());
    Result r = a.run("snapshot", "watch", ID);
    assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.out()).contains("DELETED");
  }

  @Test
  void aMalformedIdOrDuration_exitsTwo_namingTheArgument_beforeAnyCall() {
    Result id = a.run("snapshot", "watch", "../etc");
    assertThat(id.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(id.err()).startsWith("groupsnap: ID '../etc' is not a valid name").hasLineCount(1);
    Result timeout = a.run("snapshot", "watch", ID, "--timeout", "soon");
    assertThat(timeout.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(timeout.err()).startsWith("groupsnap: --timeout: invalid duration 'soon'").hasLineCount(1);
    assertThat(id.out() + timeout.out()).isEmpty();
    assertThat(a.gets.get()).isZero();
  }

  @Test
  void anUnknownId_exitsTwo_atOnce_whenItIsNotOfTheMintedForm() {
    Result r = a.run("snapshot", "watch", "nightly");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).isEqualTo("groupsnap: no group snapshot 'nightly'\n");
    assertThat(a.gets.get()).isEqualTo(1);
  }

  @Test
  void aMintedIdNotRecordedYet_isWaitedFor_boundedByTheTimeout() throws Exception {
    a.answer(Status.NOT_FOUND, Status.NOT_FOUND, PREPARING, COMMITTED);
    Result appears = a.run("snapshot", "watch", ID);
    assertThat(appears.exit()).as(appears.err()).isEqualTo(ExitCodes.OK);
    assertThat(appears.err()).isEqualTo("groupsnap: no group snapshot " + ID + " yet; waiting up to 10.0s for it to "
        + "appear\n");
    assertThat(appears.out()).startsWith(ID + " PREPARING").contains(ID + "  COMMITTED");

    StandInCoordinator never = coordinator();
    never.answer(Status.NOT_FOUND.withDescription("no group snapshot '" + ID + "'"));
    long start = System.nanoTime();
    Result r = never.run("snapshot", "watch", ID, "--timeout", "1s");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).endsWith("groupsnap: no group snapshot '" + ID + "'\n");
    assertThat((System.nanoTime() - start) / 1e9).as("bounded by --timeout").isLessThan(10);
  }

  @Test
  void aCoordinatorThatStopsAnswering_isLeftForAnotherItNamed_andTheWatchEndsThere() throws Exception {
    StandInCoordinator b = coordinator().answer(COMMITTING, COMMITTED);
    a.coordinators.add(b.endpoint());
    a.answer(PREPARING, Status.UNAVAILABLE.withDescription("leader going away"));
    Result r = a.run("snapshot", "watch", ID, "--outcome-timeout", "20s");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.err()).isEqualTo("groupsnap: coordinator " + a.endpoint() + " did not answer (UNAVAILABLE); looking "
        + "for another for up to 20.0s\n");
    assertThat(r.out()).startsWith(ID + " PREPARING").contains(ID + " COMMITTING").contains(ID + "  COMMITTED");
    assertThat(b.gets.get()).isEqualTo(2);
  }

  @Test
  void noCoordinatorAnswering_exitsOne_afterTheOutcomeTimeout_namingTheLastState() {
    a.answer(PREPARING, Status.UNAVAILABLE);
    long start = System.nanoTime();
    Result r = a.run("snapshot", "watch", ID, "--outcome-timeout", "1s");
    assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).endsWith("groupsnap: no coordinator answered about " + ID + " within 1.0s (last tried "
        + a.endpoint() + ": UNAVAILABLE); it was PREPARING\n");
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(10);

    Result never = StandInCoordinator.runCli("snapshot", "watch", ID, "--coordinator", "127.0.0.1:1",
        "--insecure");
    assertThat(never.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(never.err()).startsWith("groupsnap: cannot reach coordinator at 127.0.0.1:1").hasLineCount(1);
  }

  @Test
  void aRecordNotFinalByTheTimeout_exitsOne_namingItsState() {
    a.answer(PREPARING);
    Result r = a.run("snapshot", "watch", ID, "--timeout", "1s");
    assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).isEqualTo("groupsnap: " + ID + " is still PREPARING after 1.0s; watch it again with "
        + "'groupsnap snapshot watch " + ID + "'\n");
    assertThat(r.out()).startsWith(ID + " PREPARING");
  }
}
