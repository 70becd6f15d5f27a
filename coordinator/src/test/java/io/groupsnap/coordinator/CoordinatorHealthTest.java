package io.groupsnap.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.groupsnap.common.HostPort;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's gRPC health over a real socket: SERVING while it is connected to ZooKeeper, leader or standby;
 * NOT_SERVING while ZooKeeper is gone, SERVING again once it is back.
 */
class CoordinatorHealthTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  TestingServer zk;
  final List<Coordinator> coordinators = new ArrayList<>();
  final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeEach
  void startZooKeeper() throws Exception {
    zk = new TestingServer(true);
  }

  @AfterEach
  void stop() throws Exception {
    channels.forEach(ManagedChannel::shutdownNow);
    coordinators.forEach(Coordinator::close);
    zk.close();
  }

  Coordinator coordinator() throws Exception {
    Coordinator c = new Coordinator(CoordinatorConfig.defaults("default", zk.getConnectString(),
        new HostPort("127.0.0.1", 0)).withZkSessionTimeout(Duration.ofSeconds(2))).start();
    coordinators.add(c);
    return c;
  }

  /** What a probe asks: the whole server (""), or the coordinator's service by name. */
  ServingStatus probe(Coordinator c, String service) {
    ManagedChannel channel = NettyChannelBuilder.forTarget(c.endpoint().toString()).usePlaintext().build();
    channels.add(channel);
    return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }

  boolean serving(Coordinator c) {
    ServingStatus whole = probe(c, "");
    ServingStatus service = probe(c, CoordinatorServiceGrpc.SERVICE_NAME);
    assertThat(service).as("the service name answers as the whole server does").isEqualTo(whole);
    return whole == ServingStatus.SERVING;
  }

  @Test
  void leaderAndStandby_areServing_whileConnectedToZooKeeper() throws Exception {
    Coordinator first = coordinator();
    await().atMost(WAIT).until(first::isLeader);
    Coordinator standby = coordinator();

    assertThat(serving(first)).isTrue();
    assertThat(serving(standby)).as("a standby is ready to take over").isTrue();
    assertThat(standby.isLeader()).isFalse();
  }

  @Test
  void health_isNotServing_whileZooKeeperIsGone_andServingAgain_onceItIsBack() throws Exception {
    Coordinator c = coordinator();
    await().atMost(WAIT).until(() -> serving(c));

    zk.stop();
    await().atMost(WAIT).until(() -> !serving(c));

    zk.restart();
    await().atMost(WAIT).until(() -> serving(c));
    await("it leads again once ZooKeeper is back").atMost(WAIT).until(c::isLeader);
  }
}
