package io.groupsnap.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.proto.v1.CreateScheduleRequest;
import io.groupsnap.proto.v1.ListSchedulesRequest;
import io.groupsnap.proto.v1.ListSchedulesResponse;
import io.groupsnap.proto.v1.NextTicksRequest;
import io.groupsnap.proto.v1.NextTicksResponse;
import io.groupsnap.proto.v1.PlanRetentionRequest;
import io.groupsnap.proto.v1.RetentionDecision;
import io.groupsnap.proto.v1.RetentionPlan;
import io.groupsnap.proto.v1.RetentionScope;
import io.groupsnap.proto.v1.RunState;
import io.groupsnap.proto.v1.Schedule;
import io.groupsnap.proto.v1.ScheduleServiceGrpc;
import io.groupsnap.proto.v1.ScheduleView;
import io.groupsnap.proto.v1.SetSchedulePausedRequest;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code schedule} and {@code retention plan} against a stand-in ScheduleService on a real socket. */
class ScheduleCommandTest {
  final List<Object> requests = new CopyOnWriteArrayList<>();
  Server server;

  @BeforeEach
  void start() throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new StandIn()).build()
        .start();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  StandInCoordinator.Result run(String... args) {
    String[] all = new String[args.length + 3];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--coordinator";
    all[args.length + 1] = "127.0.0.1:" + server.getPort();
    all[args.length + 2] = "--insecure";
    return StandInCoordinator.runCli(all);
  }

  @Test
  void create_sendsGroupCronZoneDeadlineAndPaused() {
    StandInCoordinator.Result r = run("schedule", "create", "db", "--cron", "0 7 * * *", "--time-zone",
        "Europe/Berlin", "--starting-deadline", "10m", "--paused");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(requests).containsExactly(CreateScheduleRequest.newBuilder().setSchedule(Schedule.newBuilder()
        .setGroup("db").setCron("0 7 * * *").setTimeZone("Europe/Berlin").setStartingDeadlineMillis(600_000)
        .setPaused(true)).build());
    assertThat(r.out()).contains("schedule of group db created: 0 7 * * * (Europe/Berlin)");
  }

  @Test
  void aBadCron_isOneLineFromTheCoordinator_exit2() {
    StandInCoordinator.Result r = run("schedule", "create", "db", "--cron", "0 7 * *");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip()).isEqualTo("groupsnap: cron expression '0 7 * *' is not valid: it has 4 "
        + "fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)");
  }

  @Test
  void badOptions_areNamed_andNothingIsSent() {
    StandInCoordinator.Result r = run("schedule", "create", "db", "--cron", "0 7 * * *", "--starting-deadline",
        "soon");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).startsWith("groupsnap: --starting-deadline: ").doesNotContain("\n ");
    r = run("schedule", "next", "db", "--cron", "0 7 * * *");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("give a GROUP or --cron EXPR");
    r = run("schedule", "next", "db", "--count", "0");
    assertThat(r.err()).contains("--count: 0 is outside 1..100");
    r = run("schedule", "pause", "bad/name");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("GROUP");
    assertThat(requests).isEmpty();
  }

  @Test
  void next_printsTheTicksInTheZone_andListAndPauseWork() {
    StandInCoordinator.Result r = run("schedule", "next", "--cron", "0 7 * * *", "--time-zone", "Europe/Berlin",
        "--count", "2");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.out().lines().toList()).containsExactly("2026-05-01T07:00:00+02:00", "2026-05-02T07:00:00+02:00");
    assertThat(requests).containsExactly(NextTicksRequest.newBuilder().setCron("0 7 * * *")
        .setTimeZone("Europe/Berlin").setCount(2).build());

    r = run("schedule", "list");
    assertThat(r.out()).contains("db").contains("0 7 * * *").contains("active").contains("2026-05-01T07:00:00+02:00");
    r = run("schedule", "pause", "db");
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(requests).contains(SetSchedulePausedRequest.newBuilder().setGroup("db").setPaused(true).build());
  }

  @Test
  void retentionPlan_printsScopeRunStateActionAndWhy_andJson() {
    StandInCoordinator.Result r = run("retention", "plan", "db");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).startsWith("SCOPE").contains("RUN", "CREATED", "STATE", "ACTION", "WHY");
    assertThat(lines.get(1)).startsWith("local").contains("run-2", "COMPLETED", "keep", "newest completed, last 1");
    assertThat(lines.get(2)).contains("run-1", "remove", "no rule keeps it");
    r = run("retention", "plan", "db", "-o", "json");
    assertThat(r.out()).contains("\"runId\" : \"run-2\"").contains("\"reasons\" : [ \"newest completed\", \"last 1\" ]");
  }

  /** Answers as a coordinator would, recording each request. */
  final class StandIn extends ScheduleServiceGrpc.ScheduleServiceImplBase {
    @Override
    public void createSchedule(CreateScheduleRequest req, StreamObserver<Schedule> out) {
      if (req.getSchedule().getCron().split(" ").length != 5) {
        out.onError(Status.INVALID_ARGUMENT.withDescription("cron expression '" + req.getSchedule().getCron()
            + "' is not valid: it has 4 fields; expected 5 (minute hour day-of-month month day-of-week) or 6 "
            + "(seconds first)").asRuntimeException());
        return;
      }
      requests.add(req);
      out.onNext(req.getSchedule());
      out.onCompleted();
    }

    @Override
    public void listSchedules(ListSchedulesRequest req, StreamObserver<ListSchedulesResponse> out) {
      out.onNext(ListSchedulesResponse.newBuilder().addSchedules(ScheduleView.newBuilder().setSchedule(Schedule
          .newBuilder().setGroup("db").setCron("0 7 * * *").setTimeZone("Europe/Berlin").setFired(3))
          .setNextTickMillis(Instant.parse("2026-05-01T05:00:00Z").toEpochMilli())).build());
      out.onCompleted();
    }

    @Override
    public void setSchedulePaused(SetSchedulePausedRequest req, StreamObserver<Schedule> out) {
      requests.add(req);
      out.onNext(Schedule.newBuilder().setGroup(req.getGroup()).setCron("0 7 * * *").setTimeZone("UTC")
          .setPaused(req.getPaused()).build());
      out.onCompleted();
    }

    @Override
    public void nextTicks(NextTicksRequest req, StreamObserver<NextTicksResponse> out) {
      requests.add(req);
      out.onNext(NextTicksResponse.newBuilder().setTimeZone("Europe/Berlin")
          .addAtMillis(Instant.parse("2026-05-01T05:00:00Z").toEpochMilli())
          .addAtMillis(Instant.parse("2026-05-02T05:00:00Z").toEpochMilli()).build());
      out.onCompleted();
    }

    @Override
    public void planRetention(PlanRetentionRequest req, StreamObserver<RetentionPlan> out) {
      out.onNext(RetentionPlan.newBuilder().setGroup(req.getGroup())
          .addDecisions(RetentionDecision.newBuilder().setRunId("run-2").setScope(RetentionScope.RETENTION_LOCAL)
              .setKeep(true).addReasons("newest completed").addReasons("last 1").setState(RunState.RUN_COMPLETED)
              .setCreatedAtMillis(Instant.parse("2026-05-01T05:00:00Z").toEpochMilli()))
          .addDecisions(RetentionDecision.newBuilder().setRunId("run-1").setScope(RetentionScope.RETENTION_LOCAL)
              .setState(RunState.RUN_COMPLETED)
              .setCreatedAtMillis(Instant.parse("2026-04-30T05:00:00Z").toEpochMilli()))
          .build());
      out.onCompleted();
    }
  }
}
