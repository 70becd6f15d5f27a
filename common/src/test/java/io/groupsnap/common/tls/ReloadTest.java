package io.groupsnap.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.groupsnap.common.tls.TlsPeers.Client;
import io.groupsnap.common.tls.TlsPeers.TestServer;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Certificates replaced on disk: new connections take them, connections and calls in flight do not notice. */
class ReloadTest {
  @TempDir Path dir;
  Pki pki;
  Transport client;
  final Logger logger = (Logger) LoggerFactory.getLogger(Reloading.class);
  final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void setUp() throws Exception {
    pki = new Pki(dir);
    client = Transport.tls(pki.issue("alice", Set.of(Role.OPERATOR)), Duration.ZERO);
    logged.start();
    logger.addAppender(logged);
  }

  @AfterEach
  void tearDown() {
    logger.detachAppender(logged);
    client.close();
  }

  CertAuthority.Leaf coordinator() {
    return CertAuthority.Leaf.valid("coord-1", Set.of(Role.COORDINATOR), List.of("127.0.0.1"), Duration.ofDays(1));
  }

  BigInteger serialIn(TlsFiles f) throws Exception {
    return Pem.readCertificates("cert file", f.cert()).get(0).getSerialNumber();
  }

  BigInteger serialSeenByANewConnection(String target) throws Exception {
    try (Client c = new Client(target, client.channelCredentials(PeerCheck.role(Role.COORDINATOR)))) {
      assertThat(c.check()).isEqualTo(ServingStatus.SERVING);
      return c.serverSerial();
    }
  }

  List<String> warnings() {
    return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Test
  void replacedFiles_areUsedByTheNextNewConnection_whileACallingClientNeverFails() throws Exception {
    TlsFiles files = pki.issue(coordinator(), "coord-1");
    BigInteger first = serialIn(files);
    try (Transport server = Transport.tls(files, Duration.ofMillis(50)); TestServer s = new TestServer(server);
        Client steady = new Client("127.0.0.1:" + s.port(), client.channelCredentials(PeerCheck.ANY))) {
      String target = "127.0.0.1:" + s.port();
      assertThat(steady.check()).isEqualTo(ServingStatus.SERVING);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger calls = new AtomicInteger();
      AtomicInteger failures = new AtomicInteger();
      CompletableFuture<Void> calling = CompletableFuture.runAsync(() -> {
        while (!stop.get()) {
          try {
            steady.check();
            calls.incrementAndGet();
          } catch (RuntimeException e) {
            failures.incrementAndGet();
          }
        }
      });

      pki.issue(coordinator(), "coord-1"); // a new key and certificate, same names, same CA
      BigInteger second = serialIn(files);
      assertThat(second).isNotEqualTo(first);
      await().atMost(Duration.ofSeconds(20)).until(() -> serialSeenByANewConnection(target).equals(second));
      int seen = calls.get();
      await().atMost(Duration.ofSeconds(20)).until(() -> calls.get() > seen + 10);

      stop.set(true);
      calling.get(20, TimeUnit.SECONDS);
      assertThat(failures.get()).as("calls that failed").isZero();
      assertThat(steady.serverSerial()).as("the established connection keeps its session").isEqualTo(first);
      assertThat(server.identity()).isEqualTo(new Identity("coord-1", Set.of(Role.COORDINATOR)));
    }
  }

  @Test
  void aHalfWrittenFile_orAKeyThatDoesNotMatchYet_isLoggedOnce_andTheCurrentCertificateKept() throws Exception {
    TlsFiles files = pki.issue(coordinator(), "coord-1");
    BigInteger first = serialIn(files);
    TlsFiles next = pki.issue(coordinator(), "next");
    try (MutualTls server = (MutualTls) Transport.tls(files, Duration.ZERO); TestServer s = new TestServer(server)) {
      String target = "127.0.0.1:" + s.port();
      assertThat(server.reloadNow()).isEqualTo(Reloading.Outcome.UNCHANGED);

      String pem = Files.readString(next.cert());
      Files.writeString(files.cert(), pem.substring(0, pem.length() / 2)); // a copy caught half-way
      assertThat(server.reloadNow()).isEqualTo(Reloading.Outcome.KEPT);
      assertThat(server.reloadNow()).isEqualTo(Reloading.Outcome.KEPT);
      assertThat(warnings()).singleElement().asString().startsWith("TLS: keeping the current certificate, the new "
          + "files are not usable: cert file " + files.cert());
      assertThat(serialSeenByANewConnection(target)).isEqualTo(first);

      Files.writeString(files.cert(), pem); // the certificate copied, its key not yet
      assertThat(server.reloadNow()).isEqualTo(Reloading.Outcome.KEPT);
      assertThat(warnings()).hasSize(2).last().asString().contains("key file " + files.key() + " does not match");
      assertThat(serialSeenByANewConnection(target)).isEqualTo(first);

      Files.copy(next.key(), files.key(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      assertThat(server.reloadNow()).isEqualTo(Reloading.Outcome.RELOADED);
      assertThat(serialSeenByANewConnection(target)).isEqualTo(serialIn(next));
      assertThat(server.certificate().getSerialNumber()).isEqualTo(serialIn(next));
      assertThat(warnings()).hasSize(2);
    }
  }

  @Test
  void aProcessStartingMidRotation_readsThePairAgainUntilItMatches_butAStableMismatchIsRefused() throws Exception {
    TlsFiles files = pki.issue(coordinator(), "coord-1");
    TlsFiles next = pki.issue(coordinator(), "next");
    replace(files.cert(), next.cert()); // the key not yet
    java.util.concurrent.CompletableFuture<TlsMaterial> starting = java.util.concurrent.CompletableFuture
        .supplyAsync(() -> {
          try {
            return TlsMaterial.loadSettled(files, "groupsnap-0", java.time.Instant.now(), Duration.ofMinutes(2));
          } catch (TlsException e) {
            throw new java.util.concurrent.CompletionException(e);
          }
        });
    replace(files.key(), next.key()); // the rotation ends
    assertThat(starting.get(2, TimeUnit.MINUTES).certificate().getSerialNumber()).isEqualTo(serialIn(next));

    TlsFiles other = pki.issue(coordinator(), "other");
    replace(files.key(), other.key()); // a wrong key, for good
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TlsMaterial.loadSettled(files, "groupsnap-0",
            java.time.Instant.now(), Duration.ofMillis(100)))
        .isInstanceOf(TlsException.class).hasMessageStartingWith("key file " + files.key() + " does not match");
  }

  /** Replaces {@code target} by a copy of {@code source} in one rename, as rotation tools write each file. */
  private static void replace(Path target, Path source) throws Exception {
    Path tmp = target.resolveSibling(target.getFileName() + ".new");
    Files.copy(source, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void close_stopsTheReloadingThread() throws Exception {
    TlsFiles files = pki.issue(coordinator(), "coord-1");
    Transport server = Transport.tls(files, Duration.ofMillis(20));
    await().until(() -> reloadThreads() > 0);
    server.close();
    client.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> reloadThreads() == 0);
  }

  private static long reloadThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("groupsnap-tls-reload") && t.isAlive()).count();
  }
}
