package io.groupsnap.coordinator.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.groupsnap.coordinator.resolve.ResolutionListener.Pass;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The resolver's lines about one record name its transaction (and group, when the record has one) in the MDC. */
class ResolutionLogTest {
  @Test
  void linesAboutOneRecordNameItsTransaction_passLinesNameNone() {
    Logger log = (Logger) LoggerFactory.getLogger(Resolver.class);
    Level before = log.getLevel();
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    log.addAppender(events);
    log.setLevel(Level.DEBUG);
    try {
      ResolutionLog l = new ResolutionLog(Duration.ofSeconds(30));
      Pass pass = new Pass(7, Pass.Kind.RECOVERY);
      GroupSnapshot prepared = GroupSnapshot.newBuilder().setId("gs-1").setGroup("db")
          .setState(GroupSnapshotState.PREPARING).setEpoch(6).build();
      GroupSnapshot committing = prepared.toBuilder().setId("gs-2").setGroup("").build();
      l.aborting(pass, prepared);
      l.finishingCommit(pass, committing);
      l.finalized(pass, "gs-2");
      l.finishingDeletion(pass, prepared);
      l.deletionFinished(pass, "gs-1");
      l.couldNotResolve(pass, "abort", "gs-3", new IllegalStateException("agent a1 unreachable"));
      l.unresolved(pass, 2);

      assertThat(events.list).hasSize(7);
      for (ILoggingEvent e : events.list.subList(0, 6)) {
        String id = e.getFormattedMessage().replaceAll(".*(gs-\\d).*", "$1");
        assertThat(e.getMDCPropertyMap()).as(e.getFormattedMessage()).containsEntry("txn", id);
      }
      assertThat(events.list.get(0).getMDCPropertyMap()).containsEntry("group", "db");
      assertThat(events.list.get(1).getMDCPropertyMap()).doesNotContainKey("group");
      assertThat(events.list.get(6).getMDCPropertyMap()).as("a line about the pass").doesNotContainKey("txn");
      assertThat(MDC.get("txn")).isNull();
    } finally {
      log.detachAppender(events);
      log.setLevel(before);
    }
  }
}
