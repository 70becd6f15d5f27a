package io.groupsnap.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.proto.v1.CaptureCheck;
import io.groupsnap.proto.v1.CaptureCondition;
import io.groupsnap.proto.v1.CheckDepth;
import io.groupsnap.proto.v1.CheckGroupSnapshotResponse;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How check findings are shown: the outcome and exit reasons, DAMAGED in list/show views, the JSON fields. */
class CheckReportTest {
  static CaptureCheck finding(String agent, CaptureCondition c, String detail) {
    return CaptureCheck.newBuilder().setAgentId(agent).setVolume("data").setCondition(c)
        .setDepth(CheckDepth.CHECK_DEPTH_COUNTS).setDetail(detail).setCheckedAtMillis(1_700_000_000_000L).build();
  }

  static GroupSnapshot snapshot(CaptureCheck... recorded) {
    GroupSnapshot.Builder b = GroupSnapshot.newBuilder().setId("gs-1").setState(GroupSnapshotState.COMMITTED);
    for (CaptureCheck c : recorded) {
      b.addMembers(MemberRecord.newBuilder().setAgentId(c.getAgentId()).setVolume("data").setCheck(c));
    }
    return b.build();
  }

  static CheckGroupSnapshotResponse response(GroupSnapshot g, CaptureCheck... found) {
    return CheckGroupSnapshotResponse.newBuilder().setSnapshot(g).addAllCaptures(List.of(found)).build();
  }

  @Test
  void everyCapturePresent_isIntact() {
    CaptureCheck ok = finding("a1", CaptureCondition.CAPTURE_PRESENT, "");
    assertThat(CheckReport.outcome(response(snapshot(ok), ok))).isEqualTo(CheckReport.Outcome.INTACT);
    CaptureCheck first = finding("a1", CaptureCondition.CAPTURE_UNVERIFIED, "recorded one now");
    assertThat(CheckReport.outcome(response(snapshot(first), first))).isEqualTo(CheckReport.Outcome.INTACT);
  }

  @Test
  void anUnreachableMember_isIncomplete_notDamaged() {
    CaptureCheck ok = finding("a1", CaptureCondition.CAPTURE_PRESENT, "");
    CaptureCheck away = finding("a2", CaptureCondition.CAPTURE_UNREACHABLE, "agent a2 is not registered");
    CheckGroupSnapshotResponse r = response(snapshot(ok), ok, away);
    assertThat(CheckReport.outcome(r)).isEqualTo(CheckReport.Outcome.INCOMPLETE);
    assertThat(CheckReport.summary(r)).isEqualTo("gs-1 could not be checked completely (a2:data UNREACHABLE)");
    assertThat(Views.state(r.getSnapshot())).isEqualTo("COMMITTED");
  }

  @Test
  void aMissingCapture_isDamaged_evenWhenItsAgentIsUnreachableNow() {
    CaptureCheck missing = finding("a2", CaptureCondition.CAPTURE_MISSING, "capture /s/gs-1 is gone");
    CaptureCheck now = finding("a2", CaptureCondition.CAPTURE_UNREACHABLE, "UNAVAILABLE");
    CheckGroupSnapshotResponse r = response(snapshot(missing), now);
    assertThat(CheckReport.outcome(r)).isEqualTo(CheckReport.Outcome.DAMAGED);
    assertThat(CheckReport.summary(r)).isEqualTo("gs-1 is DAMAGED (found so by an earlier check)");

    StringWriter text = new StringWriter();
    CheckReport.text(new PrintWriter(text, true), r);
    assertThat(text.toString()).startsWith("gs-1  DAMAGED: 1 of 1 capture missing or altered\n")
        .contains("UNREACHABLE");
  }

  @Test
  void theHeader_namesTheOutcomeOnce_andCountsTheCaptures_whenIntactDamagedOrIncomplete() {
    CaptureCheck ok1 = finding("a1", CaptureCondition.CAPTURE_PRESENT, "");
    CaptureCheck ok2 = finding("a2", CaptureCondition.CAPTURE_PRESENT, "");
    CaptureCheck first = finding("a3", CaptureCondition.CAPTURE_UNVERIFIED, "recorded one now");
    assertThat(CheckReport.header(response(snapshot(ok1, ok2, first), ok1, ok2, first)))
        .isEqualTo("gs-1  INTACT: 3 captures checked, none missing or altered");

    CaptureCheck gone = finding("a2", CaptureCondition.CAPTURE_MISSING, "capture /s/gs-1 is gone");
    CheckGroupSnapshotResponse damaged = response(snapshot(ok1, gone, first), ok1, gone, first);
    StringWriter text = new StringWriter();
    CheckReport.text(new PrintWriter(text, true), damaged);
    assertThat(text.toString()).startsWith("gs-1  DAMAGED: 1 of 3 captures missing or altered\n")
        .containsPattern("a1 +data +PRESENT").containsPattern("a2 +data +MISSING +counts +capture /s/gs-1 is gone")
        .containsOnlyOnce("DAMAGED");

    CaptureCheck busy = finding("a3", CaptureCondition.CAPTURE_UNCHECKED, "a group snapshot is in progress");
    assertThat(CheckReport.header(response(snapshot(ok1, ok2, first), ok1, ok2, busy)))
        .isEqualTo("gs-1  INCOMPLETE: 1 of 3 captures could not be checked, none found missing or altered");
  }

  @Test
  void theGroupSnapshotView_saysDamaged_andNamesTheMember() {
    GroupSnapshot g = snapshot(finding("a1", CaptureCondition.CAPTURE_PRESENT, ""),
        finding("a2", CaptureCondition.CAPTURE_ALTERED, "1 files (recorded 2)"));
    Map<String, Object> view = Views.groupSnapshot(g);
    assertThat(view.get("state")).isEqualTo("DAMAGED");
    assertThat((List<?>) view.get("damage")).singleElement().isEqualTo(Map.of("agent", "a2", "volume", "data",
        "condition", "ALTERED", "depth", "COUNTS", "detail", "1 files (recorded 2)",
        "checkedAt", "2023-11-14T22:13:20Z"));
    assertThat((List<?>) view.get("members")).first().satisfies(m -> assertThat(((Map<?, ?>) m).get("check"))
        .isEqualTo(Map.of("condition", "PRESENT", "depth", "COUNTS", "detail", "", "checkedAt",
            "2023-11-14T22:13:20Z")));

    StringWriter list = new StringWriter();
    new Printer(Printer.Format.text, new PrintWriter(list, true)).groupSnapshots(List.of(g));
    assertThat(list.toString()).containsPattern("gs-1 +DAMAGED .*  damaged: a2:data ALTERED\n");
    StringWriter show = new StringWriter();
    new Printer(Printer.Format.text, new PrintWriter(show, true)).groupSnapshot(g);
    assertThat(show.toString()).contains("gs-1  DAMAGED").contains("damaged: a2:data ALTERED: 1 files (recorded 2)");
  }

  @Test
  void aGroupSnapshotNeverChecked_showsNoCheck() {
    GroupSnapshot g = GroupSnapshot.newBuilder().setId("gs-1").setState(GroupSnapshotState.COMMITTED)
        .addMembers(MemberRecord.newBuilder().setAgentId("a1").setVolume("data")).build();
    Map<String, Object> view = Views.groupSnapshot(g);
    assertThat(view.get("state")).isEqualTo("COMMITTED");
    assertThat(view).doesNotContainKey("damage");
    assertThat((List<?>) view.get("members")).first()
        .satisfies(m -> assertThat(((Map<?, ?>) m).containsKey("check")).isFalse());
  }
}
