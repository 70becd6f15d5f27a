package io.groupsnap.agent.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.groupsnap.agent.testing.HostRequirement;
import io.groupsnap.proto.v1.WriterAnswer;
import io.groupsnap.proto.v1.WriterOutcome;
import io.groupsnap.proto.v1.WriterPhase;
import io.groupsnap.proto.v1.WriterRequest;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Who may subscribe: over the real Unix domain socket, with subscribers in other processes running as another user
 * (uid and gid 65534), the hub admits only the processes each application's {@link PeerRule} names, as the kernel
 * reports them ({@code SO_PEERCRED}), whatever the subscriber claims.
 */
class WriterHubPeerTest {
  private static final int NOBODY = 65534;
  private Path dir;
  private Path socket;
  private WriterHub hub;

  @BeforeEach
  void setUp() throws Exception {
    WriterHubTest.requireUnixSockets();
    Subscriber.requireRoot();
    // under /tmp, traversable by the other user (JUnit's temporary directories are 0700)
    dir = Files.createTempDirectory(Path.of("/tmp"), "hub-peer-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    socket = dir.resolve("writers.sock");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (hub != null) {
      hub.close();
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** A hub whose socket the other user's group may connect to (0660, that group), serving application orders. */
  private WriterHub start(PeerRule orders) throws IOException {
    hub = new WriterHub("a1", socket, WriterHub.Transport.AUTO,
        new SocketAccess(SocketAccess.parseMode("0660"), Optional.of(nobodysGroup())));
    hub.register("orders", "orders-writer", Set.of(), orders);
    hub.start();
    assertThat(hub.unixSocket()).isTrue();
    assertThat(Files.getAttribute(socket, "unix:gid")).isEqualTo(NOBODY);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw----");
    return hub;
  }

  private static String nobodysGroup() throws IOException {
    Process p = new ProcessBuilder("getent", "group", Integer.toString(NOBODY)).start();
    String line = new String(p.getInputStream().readAllBytes()).strip();
    if (line.isEmpty()) {
      HostRequirement.unmet("this test needs a group with gid " + NOBODY + " (nogroup)");
    }
    return line.substring(0, line.indexOf(':'));
  }

  private static PeerRule admitting(Set<Integer> uids, Path executable) {
    return new PeerRule(uids, Set.of(), Optional.ofNullable(executable), "options.peer of writer orders-writer");
  }

  /** Answers the IDENTIFY, and waits until the hub counts the application as connected. */
  private void identify(Subscriber s) throws InterruptedException {
    Object first = s.next();
    assertThat(first).isInstanceOf(WriterRequest.class);
    assertThat(((WriterRequest) first).getPhase()).isEqualTo(WriterPhase.WRITER_PHASE_IDENTIFY);
    s.ok((WriterRequest) first);
    await().atMost(Subscriber.WAIT).until(() -> hub.isConnected("orders"));
  }

  private static Status refusal(Subscriber s) throws InterruptedException {
    Object r = s.next();
    assertThat(r).as("a refusal, not a request").isInstanceOf(Status.class);
    return (Status) r;
  }

  @Test
  void aSubscriberOfAnotherUser_isRefused_andNeverDisplacesTheRealApplication() throws Exception {
    start(PeerRule.agentUserOnly("options.peer of writer orders-writer"));
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger hubLog = (Logger) LoggerFactory.getLogger(WriterHub.class);
    hubLog.addAppender(logs);
    try (Subscriber squatter = new Subscriber(dir, socket, NOBODY, NOBODY).subscribe("orders")) {
      Status s = refusal(squatter);
      assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(s.getDescription()).isEqualTo("the process of uid 65534 gid 65534 pid " + squatter.pid()
          + " may not subscribe as application orders: its uid and gid are not admitted (admitted: uids [0]) "
          + "(change options.peer of writer orders-writer on agent a1)");
    } finally {
      hubLog.detachAppender(logs);
    }
    assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).filteredOn(m -> m.contains("refused"))
        .singleElement().asString().contains("uid 65534 gid 65534", "application orders", "options.peer")
        .doesNotContain("\n");
    assertThat(hub.isConnected("orders")).isFalse();

    try (Subscriber real = new Subscriber(socket).subscribe("orders")) {
      identify(real);
      Subscription held = hub.connected("orders");
      assertThat(held.pid()).as("the kernel's pid, not the claimed one").isEqualTo(real.pid());
      try (Subscriber squatter = new Subscriber(dir, socket, NOBODY, NOBODY).subscribe("orders")) {
        assertThat(refusal(squatter).getCode()).as("refused for who it is, before the slot is looked at")
            .isEqualTo(Status.Code.PERMISSION_DENIED);
      }
      assertThat(hub.connected("orders")).as("the real application keeps its place").isSameAs(held);
      assertThat(held.isOpen()).isTrue();
    }
  }

  @Test
  void anAdmittedUser_subscribes_andAnswersPrepare() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java").toRealPath();
    start(admitting(Set.of(NOBODY), java));
    try (Subscriber app = new Subscriber(dir, socket, NOBODY, NOBODY).subscribe("orders")) {
      identify(app);
      Subscription sub = hub.connected("orders");
      assertThat(sub.pid()).as("the relay's pid, as the kernel reports it").isEqualTo(app.pid());

      CompletableFuture<WriterAnswer> answer = sub.call(WriterRequest.newBuilder()
          .setPhase(WriterPhase.WRITER_PHASE_PREPARE).setTxnId("t1").setAgentId("a1").setWriter("orders-writer"));
      Object prepare = app.next();
      assertThat(prepare).isInstanceOf(WriterRequest.class);
      assertThat(((WriterRequest) prepare).getPhase()).isEqualTo(WriterPhase.WRITER_PHASE_PREPARE);
      app.ok((WriterRequest) prepare);
      assertThat(answer.get(Subscriber.WAIT.toSeconds(), TimeUnit.SECONDS).getOutcome())
          .isEqualTo(WriterOutcome.WRITER_OUTCOME_OK);
    }
  }

  @Test
  void anAdmittedUserRunningAnotherProgram_isRefused() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java").toRealPath();
    Path other = Path.of("/bin/sh").toRealPath();
    start(admitting(Set.of(NOBODY), other));
    try (Subscriber app = new Subscriber(dir, socket, NOBODY, NOBODY).subscribe("orders")) {
      Status s = refusal(app);
      assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(s.getDescription()).isEqualTo("the process of uid 65534 gid 65534 pid " + app.pid()
          + " may not subscribe as application orders: it runs " + java + ", not the admitted executable " + other
          + " (change options.peer of writer orders-writer on agent a1)");
    }
    assertThat(hub.isConnected("orders")).isFalse();
  }

  @Test
  void aGroupAdmits_itsMembersByTheirEffectiveGroup() throws Exception {
    start(new PeerRule(Set.of(), Set.of(NOBODY), Optional.empty(), "options.peer of writer orders-writer"));
    try (Subscriber app = new Subscriber(dir, socket, NOBODY, NOBODY).subscribe("orders")) {
      identify(app);
    }
    await().atMost(Subscriber.WAIT).until(() -> !hub.isConnected("orders"));
    try (Subscriber root = new Subscriber(socket).subscribe("orders")) {
      assertThat(refusal(root).getDescription()).contains("its uid and gid are not admitted (admitted: gids [65534])");
    }
  }
}
