package io.groupsnap.coordinator.inplace;

import io.groupsnap.proto.v1.InPlaceEvent;
import io.groupsnap.proto.v1.InPlaceMember;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.SwitchState;
import io.groupsnap.proto.v1.VolumeSwitchStatus;
import java.util.List;
import java.util.function.UnaryOperator;

/** Small edits of an {@link InPlaceRestore} record that keep it small: events capped, lines cut. */
final class InPlaceRecords {
  /** Events kept: the first (the start) and the latest. */
  static final int MAX_EVENTS = 24;
  static final int MAX_LINE = 300;

  private InPlaceRecords() {}

  /** Appends an event; past {@link #MAX_EVENTS} the oldest after the first are dropped. */
  static void event(InPlaceRestore.Builder b, long now, String message) {
    b.addEvents(InPlaceEvent.newBuilder().setAtMillis(now).setMessage(line(message)));
    while (b.getEventsCount() > MAX_EVENTS) {
      b.removeEvents(1);
    }
  }

  /** One line, at most {@link #MAX_LINE} characters. */
  static String line(String s) {
    String one = s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    return one.length() > MAX_LINE ? one.substring(0, MAX_LINE) + "..." : one;
  }

  /** Applies {@code change} to every member of {@code agent}. */
  static void members(InPlaceRestore.Builder b, String agent, UnaryOperator<InPlaceMember.Builder> change) {
    for (int i = 0; i < b.getMembersCount(); i++) {
      if (b.getMembers(i).getAgentId().equals(agent)) {
        b.setMembers(i, change.apply(b.getMembers(i).toBuilder()));
      }
    }
  }

  /** The stage progress an agent reported, onto its members. */
  static void staged(InPlaceRestore.Builder b, String agent, List<MemberRestore> volumes) {
    for (MemberRestore v : volumes) {
      for (int i = 0; i < b.getMembersCount(); i++) {
        InPlaceMember m = b.getMembers(i);
        if (m.getAgentId().equals(agent) && m.getVolume().equals(v.getVolume())) {
          InPlaceMember.Builder mb = m.toBuilder().setStage(v.getState()).setBytes(v.getBytes())
              .setStageMillis(v.getDurationMillis()).setError(line(v.getError()));
          if (!v.getKind().isEmpty()) {
            mb.setKind(v.getKind());
          }
          b.setMembers(i, mb);
        }
      }
    }
  }

  /** The switch states an agent reported, onto its members (every member of it when it named none). */
  static void switched(InPlaceRestore.Builder b, String agent, List<VolumeSwitchStatus> volumes, SwitchState dflt) {
    for (int i = 0; i < b.getMembersCount(); i++) {
      InPlaceMember m = b.getMembers(i);
      if (!m.getAgentId().equals(agent)) {
        continue;
      }
      SwitchState s = dflt;
      String live = m.getLive();
      for (VolumeSwitchStatus v : volumes) {
        if (v.getVolume().equals(m.getVolume())) {
          s = v.getState() == SwitchState.SWITCH_STATE_UNSPECIFIED ? dflt : v.getState();
          live = v.getLive().isEmpty() ? live : v.getLive();
        }
      }
      InPlaceMember.Builder mb = m.toBuilder().setLive(live).setError("");
      if (s != SwitchState.SWITCH_STATE_UNSPECIFIED) {
        mb.setSwitched(s);
      }
      b.setMembers(i, mb);
    }
  }

  /** The first member with an error: {@code agent:volume: error}, or empty. */
  static String firstError(InPlaceRestore r) {
    return r.getMembersList().stream().filter(m -> !m.getError().isEmpty()).findFirst()
        .map(m -> m.getAgentId() + ":" + m.getVolume() + ": " + m.getError()).orElse("");
  }
}
