package io.groupsnap.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.cli.Groupsnap;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.ListAgentsRequest;
import io.groupsnap.proto.v1.ListAgentsResponse;
import io.groupsnap.proto.v1.ProgressEvent;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code snapshot create --lease} is checked by the CLI itself against the limits the agents registered, before the
 * create is sent: against a coordinator (a stand-in on a real socket) that would accept anything.
 */
class LeaseCheckTest {
  /** Registered agents and what was asked of the coordinator. */
  static final class StandIn extends CoordinatorServiceGrpc.CoordinatorServiceImplBase {
    final List<CreateGroupSnapshotRequest> creates = new CopyOnWriteArrayList<>();
    volatile boolean listing = true;

    @Override
    public void listAgents(ListAgentsRequest request, StreamObserver<ListAgentsResponse> response) {
      if (!listing) {
        response.onError(Status.UNAVAILABLE.withDescription("listing is down").asRuntimeException());
        return;
      }
      response.onNext(ListAgentsResponse.newBuilder().addAgents(agent("agent-1", 60_000))
          .addAgents(agent("agent-2", 1_200_000)).addAgents(agent("agent-3", 30_000)).addAgents(agent("old", 0))
          .build());
      response.onCompleted();
    }

    @Override
    public void createGroupSnapshot(CreateGroupSnapshotRequest request, StreamObserver<ProgressEvent> response) {
      creates.add(request);
      response.onError(Status.FAILED_PRECONDITION.withDescription("stand-in: create received").asRuntimeException());
    }

    static AgentRegistration agent(String id, long maxLeaseMillis) {
      return AgentRegistration.newBuilder().setAgentId(id).setEndpoint("127.0.0.1:1")
          .setMaxFreezeLeaseMillis(maxLeaseMillis).build();
    }
  }

  record Result(int exit, String out, String err) {}

  final StandIn coordinator = new StandIn();
  Server server;

  @BeforeEach
  void start() throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(coordinator).build()
        .start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  Result create(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 6];
    all[0] = "snapshot";
    all[1] = "create";
    all[2] = "--coordinator";
    all[3] = "127.0.0.1:" + server.getPort();
    all[4] = "--outcome-timeout=1s";
    all[5] = "--insecure";
    System.arraycopy(args, 0, all, 6, args.length);
    int code = Groupsnap.run(all, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void aLeaseAboveAnAgentsLimit_exitsTwo_namingTheAgents_withoutSendingTheCreate() {
    Result every = create("--lease", "10m", "--wait");
    assertThat(every.exit()).as(every.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(every.err()).isEqualTo("groupsnap: lease 600000ms is longer than the maxFreezeLease of "
        + "agent-1 (60000ms), agent-3 (30000ms)\n");
    assertThat(every.out()).isEmpty();

    Result chosen = create("--lease", "45s", "--member", "agent-3:data", "--member", "agent-3:logs",
        "--member", "agent-1");
    assertThat(chosen.exit()).as(chosen.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(chosen.err()).isEqualTo("groupsnap: lease 45000ms is longer than the maxFreezeLease of "
        + "agent-3 (30000ms)\n");
    assertThat(coordinator.creates).as("the coordinator was never asked").isEmpty();
  }

  @Test
  void aLeaseWithinTheMembersLimits_orNoLease_isSentToTheCoordinator() {
    Result within = create("--lease", "10m", "--member", "agent-2", "--member", "old");
    assertThat(within.err()).isEqualTo("groupsnap: stand-in: create received\n");
    Result derived = create();
    assertThat(derived.err()).as("a lease the coordinator derives is the coordinator's to check")
        .isEqualTo("groupsnap: stand-in: create received\n");
    assertThat(coordinator.creates).hasSize(2);
    assertThat(coordinator.creates.get(0).getLeaseMillis()).isEqualTo(600_000);
  }

  @Test
  void aLeaseIsLeftToTheCoordinator_whenTheRegistrationsCannotBeRead() {
    coordinator.listing = false;
    Result r = create("--lease", "10m");
    assertThat(r.err()).isEqualTo("groupsnap: stand-in: create received\n");
    assertThat(coordinator.creates).singleElement()
        .satisfies(c -> assertThat(c.getLeaseMillis()).isEqualTo(600_000));
  }
}
