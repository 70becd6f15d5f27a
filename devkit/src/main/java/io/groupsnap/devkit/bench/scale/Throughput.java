package io.groupsnap.devkit.bench.scale;

import io.groupsnap.common.Daemons;
import io.groupsnap.common.HostPort;
import io.groupsnap.devkit.DevkitException;
import io.groupsnap.devkit.Percentiles;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberSelector;
import io.groupsnap.proto.v1.ProgressEvent;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Group snapshots per second through one leader: {@code groups} clients at once, each taking {@code each} group
 * snapshots of its own two agents ({@code agent-2i+1}, {@code agent-2i+2}: disjoint members), one after the other.
 * Plaintext, as the rest of the scale harness.
 *
 * @see ScaleBench
 */
final class Throughput {
  /** What was measured: committed group snapshots per second of wall time, and each one's create→committed. */
  record Result(int groups, int snapshots, double perSecond, long latencyP50, long latencyP99) {}

  private Throughput() {}

  static Result run(HostPort coordinator, int groups, int each) throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forTarget(coordinator.toString()).usePlaintext().build();
    ExecutorService clients = Executors.newFixedThreadPool(groups, Daemons.named("scale-throughput"));
    try {
      CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub = CoordinatorServiceGrpc.newBlockingStub(channel);
      List<Long> latency = Collections.synchronizedList(new ArrayList<>());
      List<Future<?>> done = new ArrayList<>();
      long start = System.nanoTime();
      for (int g = 0; g < groups; g++) {
        CreateGroupSnapshotRequest req = CreateGroupSnapshotRequest.newBuilder()
            .addMembers(MemberSelector.newBuilder().setAgentId("agent-" + (2 * g + 1)))
            .addMembers(MemberSelector.newBuilder().setAgentId("agent-" + (2 * g + 2))).build();
        done.add(clients.submit(() -> {
          for (int i = 0; i < each; i++) {
            long t = System.nanoTime();
            GroupSnapshot s = create(stub, req);
            if (s.getState() != GroupSnapshotState.COMMITTED) {
              throw new DevkitException(DevkitException.Kind.FAILED, "throughput snapshot " + s.getId() + " "
                  + s.getState() + ": " + s.getAbortReason());
            }
            latency.add((System.nanoTime() - t) / 1_000_000);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Result(groups, groups * each, groups * each / seconds, Percentiles.of(latency, 50),
          Percentiles.of(latency, 99));
    } finally {
      clients.shutdownNow();
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static GroupSnapshot create(CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub,
      CreateGroupSnapshotRequest req) throws DevkitException {
    Iterator<ProgressEvent> events = stub.withDeadlineAfter(5, TimeUnit.MINUTES).createGroupSnapshot(req);
    while (events.hasNext()) {
      ProgressEvent e = events.next();
      if (e.hasResult()) {
        return e.getResult();
      }
    }
    throw new DevkitException(DevkitException.Kind.FAILED, "the coordinator ended the stream without a result");
  }
}
