package io.groupsnap.coordinator.txn;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Every line the driver writes while handling a transaction carries its id in the MDC ({@code txn}). */
class TransactionLogContextTest {
  final TransactionDriverTest.Lane lane = new TransactionDriverTest.Lane();
  final TransactionDriverTest.Agents agents = new TransactionDriverTest.Agents();
  final ListAppender<ILoggingEvent> events = new ListAppender<>();
  final Logger driverLog = (Logger) LoggerFactory.getLogger(TransactionDriver.class);
  Level before;

  @BeforeEach
  void listen() {
    before = driverLog.getLevel();
    driverLog.setLevel(Level.DEBUG);
    events.start();
    driverLog.addAppender(events);
  }

  @AfterEach
  void stopListening() {
    driverLog.detachAppender(events);
    driverLog.setLevel(before);
  }

  @Test
  void everyLineAboutATransactionNamesItInTheMdc_evenWhenOneStartsInsideTheOthersFinish() {
    // gs-2's first write fails: a warning and an abort; gs-1 commits; gs-2 starts when gs-1 finishes (nested)
    TransactionDriver driver = new TransactionDriver(agents, (s, r) -> r.getId().equals("gs-2")
        ? CompletableFuture.failedFuture(new IllegalStateException("disk full"))
        : CompletableFuture.completedFuture(null), lane, Runnable::run, DecisionRule.STRICT,
        Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC), lane::now, point -> { });

    CompletableFuture<GroupSnapshot> first = driver.submit(TransactionDriverTest.spec("gs-1"),
        TransactionDriver.Progress.NONE);
    CompletableFuture<GroupSnapshot> second = driver.submit(TransactionDriverTest.spec("gs-2"),
        TransactionDriver.Progress.NONE);
    lane.runDue();

    assertThat(first).isCompletedWithValueMatching(g -> g.getState() == GroupSnapshotState.COMMITTED);
    assertThat(second).isCompletedWithValueMatching(g -> g.getState() == GroupSnapshotState.ABORTED);
    assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage)
        .anyMatch(m -> m.startsWith("txn gs-1: COMMITTED"))
        .anyMatch(m -> m.startsWith("txn gs-2: could not persist"))
        .anyMatch(m -> m.startsWith("txn gs-2: ABORTED"));
    for (ILoggingEvent e : events.list) {
      String about = e.getFormattedMessage().substring(4, 8); // "txn gs-N: ..."
      assertThat(e.getMDCPropertyMap()).as(e.getFormattedMessage()).containsEntry("txn", about);
    }
    assertThat(MDC.get("txn")).as("nothing left behind on the lane's thread").isNull();
  }
}
