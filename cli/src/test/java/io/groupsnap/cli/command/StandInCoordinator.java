package io.groupsnap.cli.command;

import io.groupsnap.cli.Groupsnap;
import io.groupsnap.proto.v1.ClusterStatusRequest;
import io.groupsnap.proto.v1.ClusterStatusResponse;
import io.groupsnap.proto.v1.CoordinatorInfo;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.groupsnap.proto.v1.GetGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A coordinator a CLI test scripts, on a real socket: {@code GetGroupSnapshot} answers with the scripted records or
 * statuses in turn (the last one again once the script runs out), {@code ClusterStatus} with the coordinators and
 * version it is given. Thread-safe (gRPC calls it on its executor).
 */
final class StandInCoordinator extends CoordinatorServiceGrpc.CoordinatorServiceImplBase implements AutoCloseable {
  /** What the CLI printed and returned. */
  record Result(int exit, String out, String err) {}

  final Server server;
  final AtomicInteger gets = new AtomicInteger();
  final List<String> coordinators = new CopyOnWriteArrayList<>();
  volatile String version = "";
  private final BlockingDeque<Object> script = new LinkedBlockingDeque<>();

  StandInCoordinator() throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(this).build().start();
    coordinators.add(endpoint());
  }

  String endpoint() {
    return "127.0.0.1:" + server.getPort();
  }

  /** Answers to come, each a {@link GroupSnapshot} or a {@link Status}. */
  StandInCoordinator answer(Object... answers) {
    script.addAll(List.of(answers));
    return this;
  }

  @Override
  public void getGroupSnapshot(GetGroupSnapshotRequest req, StreamObserver<GroupSnapshot> out) {
    gets.incrementAndGet();
    Object next = script.size() > 1 ? script.poll() : script.peek();
    if (next instanceof GroupSnapshot g) {
      out.onNext(g);
      out.onCompleted();
    } else if (next instanceof Status s) {
      out.onError(s.asRuntimeException());
    } else {
      out.onError(Status.NOT_FOUND.withDescription("no group snapshot '" + req.getId() + "'").asRuntimeException());
    }
  }

  @Override
  public void clusterStatus(ClusterStatusRequest req, StreamObserver<ClusterStatusResponse> out) {
    ClusterStatusResponse.Builder b = ClusterStatusResponse.newBuilder().setClusterName("default")
        .setLeader(endpoint()).setAnsweredBy(endpoint()).setCoordinatorVersion(version);
    coordinators.forEach(c -> b.addCoordinators(CoordinatorInfo.newBuilder().setId(c).setLeader(c.equals(endpoint()))));
    out.onNext(b.build());
    out.onCompleted();
  }

  /** Runs the CLI with {@code --coordinator} this stand-in (plaintext: {@code --insecure}). */
  Result run(String... args) {
    String[] all = new String[args.length + 3];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--coordinator";
    all[args.length + 1] = endpoint();
    all[args.length + 2] = "--insecure";
    return runCli(all);
  }

  static Result runCli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Groupsnap.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
