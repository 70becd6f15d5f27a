package io.groupsnap.common;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What the health service answers for the whole server and for the daemon's service name, and what is logged. */
class HealthTest {
  static final String SERVICE = "groupsnap.v1.TestService";
  final Logger logger = (Logger) LoggerFactory.getLogger(Health.class);
  final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  Health health;

  @BeforeEach
  void attach() {
    logged.start();
    logger.addAppender(logged);
    health = new Health("test daemon", SERVICE);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(logged);
  }

  /** Asks the service implementation itself, as the gRPC server would. */
  ServingStatus check(String service) {
    List<HealthCheckResponse> answers = new ArrayList<>();
    ((HealthGrpc.HealthImplBase) health.service()).check(HealthCheckRequest.newBuilder().setService(service).build(),
        new StreamObserver<>() {
          @Override
          public void onNext(HealthCheckResponse value) {
            answers.add(value);
          }

          @Override
          public void onError(Throwable t) {
            throw new AssertionError(t);
          }

          @Override
          public void onCompleted() { }
        });
    assertThat(answers).hasSize(1);
    return answers.get(0).getStatus();
  }

  @Test
  void wholeServerAndService_areNotServing_untilServingIsReported() {
    assertThat(check("")).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(check(SERVICE)).isEqualTo(ServingStatus.NOT_SERVING);

    health.serving();

    assertThat(check("")).isEqualTo(ServingStatus.SERVING);
    assertThat(check(SERVICE)).isEqualTo(ServingStatus.SERVING);
    assertThat(health.isServing()).isTrue();
  }

  @Test
  void eachChange_isLoggedOnce_andRepeatsAreNot() {
    health.notServing("starting");
    for (int i = 0; i < 100; i++) {
      health.serving();
    }
    for (int i = 0; i < 100; i++) {
      health.notServing("ZooKeeper connection suspended");
    }
    health.serving();

    assertThat(check("")).isEqualTo(ServingStatus.SERVING);
    assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
        "test daemon health: SERVING",
        "test daemon health: NOT_SERVING (ZooKeeper connection suspended)",
        "test daemon health: SERVING");
  }

  @Test
  void close_isNotServingForGood_whateverIsReportedLater() {
    health.serving();

    health.close();
    health.serving();
    health.close();

    assertThat(check("")).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(check(SERVICE)).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(health.isServing()).isFalse();
    assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
        "test daemon health: SERVING", "test daemon health: NOT_SERVING (shutting down)");
  }
}
