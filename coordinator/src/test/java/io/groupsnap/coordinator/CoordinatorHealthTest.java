package io.groupsnap.coordinator;

import io.groupsnap.common.tls.Transport;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
  final Map<Coordinator, ManagedChannel> channels = new HashMap<>();

  @BeforeEach
  void startZooKeeper() throws Exception {
    zk = new TestingServer(true);
  }

  @AfterEach
  void stop() throws Exception {
    channels.values().forEach(ManagedChannel::shutdownNow);
    coordinators.forEach(Coordinator::close);
    zk.close();
  }

  Coordinator coordinator() throws Exception {
    Coordinator c = new Coordinator(CoordinatorConfig.defaults("default", zk.getConnectString(),
        new HostPort("127.0.0.1", 0)), Transport.insecure()).start();
    coordinators.add(c);
    return c;
  }

  /** What a probe asks: the whole server (""), or the coordinator's service by name. */
  ServingStatus probe(Coordinator c, String service) {
    ManagedChannel channel = channels.computeIfAbsent(c,
        k -> NettyChannelBuilder.forTarget(k.endpoint().toString()).usePlaintext().build());
    return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }

  /** Both the whole server and the coordinator's service name answer {@code expected}. */
  boolean reports(Coordinator c, ServingStatus expected) {
    return probe(c, "") == expected && probe(c, CoordinatorServiceGrpc.SERVICE_NAME) == expected;
  }

  boolean serving(Coordinator c) {
    return reports(c, ServingStatus.SERVING);
  }

  @Test
  void leaderAndStandby_areServing_whileConnectedToZooKeeper() throws Exception {
    Coordinator first = coordinator();
    await().atMost(WAIT).until(first::isLeader);
    Coordinator standby = coordinator();

    await().atMost(WAIT).until(() -> serving(first));
    await("a standby is ready to take over").atMost(WAIT).until(() -> serving(standby));
    assertThat(standby.isLeader()).isFalse();
  }

  @Test
  void health_isNotServing_whileZooKeeperIsGone_andServingAgain_onceItIsBack() throws Exception {
    Coordinator c = coordinator();
    await().atMost(WAIT).until(() -> serving(c));

    zk.stop();
    await().atMost(WAIT).until(() -> reports(c, ServingStatus.NOT_SERVING));

    zk.restart();
    await().atMost(WAIT).until(() -> serving(c));
    await("it leads again once ZooKeeper is back").atMost(WAIT).until(c::isLeader);
  }
}
