package io.groupsnap.writer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.proto.v1.ApplicationMessage;
import io.groupsnap.proto.v1.WriterAnswer;
import io.groupsnap.proto.v1.WriterIdentity;
import io.groupsnap.proto.v1.WriterOutcome;
import io.groupsnap.proto.v1.WriterPhase;
import io.groupsnap.proto.v1.WriterRequest;
import io.groupsnap.proto.v1.WriterServiceGrpc;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client library on its own, against a scripted agent on a real Unix domain socket: the test sends each request
 * and reads each answer, so every corner of the client's rules can be reached.
 */
class WriterClientTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path tmp;
  Path socket;
  EventLoopGroup group;
  Server server;
  final BlockingQueue<ApplicationMessage> inbound = new LinkedBlockingQueue<>();
  final AtomicReference<StreamObserver<WriterRequest>> toApp = new AtomicReference<>();
  final AtomicLong ids = new AtomicLong();
  final List<String> calls = new CopyOnWriteArrayList<>();
  WriterClient client;

  @BeforeEach
  void startScriptedAgent() throws Exception {
    if (!Epoll.isAvailable()) {
      String why = "Unix domain sockets need epoll: " + Epoll.unavailabilityCause();
      if (System.getenv("GROUPSNAP_CI") != null) {
        Assertions.fail(why);
      }
      Assumptions.assumeTrue(false, why);
    }
    socket = tmp.resolve("writers.sock");
    group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .channelType(EpollServerDomainSocketChannel.class).bossEventLoopGroup(group).workerEventLoopGroup(group)
        .withChildOption(ChannelOption.SO_KEEPALIVE, null)
        .addService(new WriterServiceGrpc.WriterServiceImplBase() {
          @Override
          public StreamObserver<ApplicationMessage> subscribe(StreamObserver<WriterRequest> out) {
            toApp.set(out);
            return new StreamObserver<>() {
              @Override
              public void onNext(ApplicationMessage m) {
                inbound.add(m);
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            };
          }
        }).build().start();
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  /** A handler that records its calls; freeze behaves as {@code freeze} says. */
  Handler handler(java.util.function.Supplier<Outcome> freeze) {
    return new Handler() {
      @Override
      public Outcome freeze(Txn txn, Instant leaseDeadline) {
        calls.add("freeze " + txn.id());
        return freeze.get();
      }

      @Override
      public Outcome thaw(Txn txn) {
        calls.add("thaw " + txn.id());
        return Outcome.OK;
      }

      @Override
      public Outcome abort(Txn txn) {
        calls.add("abort " + txn.id());
        return Outcome.OK;
      }
    };
  }

  WriterIdentity subscribe(Handler h) throws Exception {
    client = WriterClient.builder(socket, "orders", h).volumes(List.of("data")).pid(4711).connect();
    ApplicationMessage first = inbound.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(first).isNotNull();
    assertThat(first.hasIdentity()).isTrue();
    WriterAnswer a = ask(WriterRequest.newBuilder().setPhase(WriterPhase.WRITER_PHASE_IDENTIFY).setAgentId("a1"));
    assertThat(a.getOutcome()).isEqualTo(WriterOutcome.WRITER_OUTCOME_OK);
    assertThat(client.isSubscribed()).isTrue();
    return first.getIdentity();
  }

  WriterAnswer ask(WriterRequest.Builder r) throws Exception {
    long id = ids.incrementAndGet();
    toApp.get().onNext(r.setRequestId(id).build());
    ApplicationMessage m = inbound.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(m).as("an answer to request %d", id).isNotNull();
    assertThat(m.getAnswer().getRequestId()).isEqualTo(id);
    return m.getAnswer();
  }

  static WriterRequest.Builder req(WriterPhase phase, String txn) {
    return WriterRequest.newBuilder().setPhase(phase).setTxnId(txn).setEpoch(3).addVolumes("data");
  }

  static WriterRequest.Builder freeze(String txn, Instant deadline) {
    return req(WriterPhase.WRITER_PHASE_FREEZE, txn).setLeaseDeadlineMillis(deadline.toEpochMilli());
  }

  @Test
  void identifies_withItsNamePidVolumesAndClient() throws Exception {
    WriterIdentity id = subscribe(handler(() -> Outcome.OK));
    assertThat(id.getApplication()).isEqualTo("orders");
    assertThat(id.getPid()).isEqualTo(4711);
    assertThat(id.getVolumesList()).containsExactly("data");
    assertThat(id.getToken()).isEmpty();
    assertThat(id.getClient()).startsWith("groupsnap-writer-client/");
  }

  @Test
  void aFreezeThatThrows_isAnsweredNonRetryable_andThawedToBeSafe() throws Exception {
    subscribe(handler(() -> {
      throw new IllegalStateException("disk on fire");
    }));
    WriterAnswer a = ask(freeze("gs-1", Instant.now().plusSeconds(30)));
    assertThat(a.getOutcome()).isEqualTo(WriterOutcome.WRITER_OUTCOME_NON_RETRYABLE);
    assertThat(a.getReason()).isEqualTo("freeze failed: java.lang.IllegalStateException: disk on fire");
    assertThat(calls).containsExactly("freeze gs-1", "thaw gs-1");
    assertThat(client.isHolding()).isFalse();
  }

  @Test
  void aFreezeArrivingAfterItsDeadline_isRefused_andNothingIsHeld() throws Exception {
    subscribe(handler(() -> Outcome.OK));
    WriterAnswer a = ask(freeze("gs-1", Instant.now().minusMillis(1)));
    assertThat(a.getOutcome()).isEqualTo(WriterOutcome.WRITER_OUTCOME_NON_RETRYABLE);
    assertThat(a.getReason()).contains("had passed when FREEZE arrived");
    assertThat(calls).isEmpty();
  }

  @Test
  void aRepeatedFreeze_isAnsweredOk_withoutFreezingTwice_andThawWithoutAHold_saysSo() throws Exception {
    subscribe(handler(() -> Outcome.OK));
    assertThat(ask(freeze("gs-1", Instant.now().plusSeconds(30))).getOutcome())
        .isEqualTo(WriterOutcome.WRITER_OUTCOME_OK);
    assertThat(ask(freeze("gs-1", Instant.now().plusSeconds(30))).getOutcome())
        .isEqualTo(WriterOutcome.WRITER_OUTCOME_OK);
    assertThat(client.isHolding()).isTrue();
    assertThat(ask(req(WriterPhase.WRITER_PHASE_THAW, "gs-1")).getOutcome())
        .isEqualTo(WriterOutcome.WRITER_OUTCOME_OK);
    WriterAnswer again = ask(req(WriterPhase.WRITER_PHASE_THAW, "gs-1"));
    assertThat(again.getOutcome()).isEqualTo(WriterOutcome.WRITER_OUTCOME_NON_RETRYABLE);
    assertThat(again.getReason()).isEqualTo("not holding for group snapshot gs-1");
    assertThat(calls).containsExactly("freeze gs-1", "thaw gs-1");
  }

  @Test
  void anAbortWhileHolding_releasesFirst_thenAborts() throws Exception {
    subscribe(handler(() -> Outcome.OK));
    ask(freeze("gs-1", Instant.now().plusSeconds(30)));
    assertThat(ask(req(WriterPhase.WRITER_PHASE_ABORT, "gs-1")).getOutcome())
        .isEqualTo(WriterOutcome.WRITER_OUTCOME_OK);
    assertThat(calls).containsExactly("freeze gs-1", "thaw gs-1", "abort gs-1");
    assertThat(client.isHolding()).isFalse();
  }

  @Test
  void closingFromInsideACallback_releasesTheHold_withoutDeadlock() throws Exception {
    AtomicReference<WriterClient> self = new AtomicReference<>();
    Handler h = new Handler() {
      @Override
      public Outcome freeze(Txn txn, Instant leaseDeadline) {
        calls.add("freeze " + txn.id());
        return Outcome.OK;
      }

      @Override
      public Outcome thaw(Txn txn) {
        calls.add("thaw " + txn.id());
        return Outcome.OK;
      }

      @Override
      public Outcome committed(Txn txn) {
        self.get().close();
        return Outcome.OK;
      }
    };
    subscribe(h);
    self.set(client);
    ask(freeze("gs-1", Instant.now().plusSeconds(30)));
    toApp.get().onNext(req(WriterPhase.WRITER_PHASE_COMMITTED, "gs-0").setRequestId(ids.incrementAndGet()).build());
    await().atMost(WAIT).until(() -> calls.contains("thaw gs-1"));
    assertThat(client.isSubscribed()).isFalse();
  }

  @Test
  void aMissingOrForeignPath_isReportedInLastError_andRetried() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    Files.deleteIfExists(socket);
    client = WriterClient.builder(socket, "orders", handler(() -> Outcome.OK))
        .backoff(Duration.ofMillis(10), Duration.ofMillis(50)).connect();
    await().atMost(WAIT).until(() -> client.lastError().contains("no agent serves writers there"));
    Files.writeString(socket, "hello\n");
    await().atMost(WAIT).until(() -> client.lastError().contains("is neither a socket nor a groupsnap writer "
        + "endpoint file"));
    assertThat(client.isSubscribed()).isFalse();
  }
}
