package io.groupsnap.agent.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.agent.testing.HostRequirement;
import io.groupsnap.proto.v1.ApplicationMessage;
import io.groupsnap.proto.v1.WriterAnswer;
import io.groupsnap.proto.v1.WriterIdentity;
import io.groupsnap.proto.v1.WriterOutcome;
import io.groupsnap.proto.v1.WriterRequest;
import io.groupsnap.proto.v1.WriterServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A writer-hub subscriber for tests, with a bare generated stub: connecting from this process (the real application,
 * running as the agent's user), or from another process running as another user. The foreign connection is made by
 * {@code setpriv --reuid=UID --regid=GID --clear-groups java Relay.java SOCKET}: a few lines of JDK-only Java that
 * connect to the hub's socket and copy bytes between it and their stdin/stdout. The gRPC side runs here and reaches
 * the relay over loopback TCP, so the hub sees what it would of a foreign application: a connection whose
 * {@code SO_PEERCRED} names that process, its uid and gid.
 *
 * <p>A foreign subscriber needs root (to change user) and {@code setpriv} ({@link #requireRoot}); the relay's source
 * goes into a directory that user can read.
 */
final class Subscriber implements AutoCloseable {
  private static final EventLoopGroup LOCAL = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  static final Duration WAIT = Duration.ofSeconds(30);
  private static final String RELAY = """
      import java.io.*;
      import java.net.UnixDomainSocketAddress;
      import java.nio.ByteBuffer;
      import java.nio.channels.SocketChannel;

      public class Relay {
        public static void main(String[] args) throws Exception {
          SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(args[0]));
          Thread up = new Thread(() -> {
            byte[] b = new byte[8192];
            try {
              for (int n; (n = System.in.read(b)) > 0; ) {
                ch.write(ByteBuffer.wrap(b, 0, n));
              }
              ch.shutdownOutput();
            } catch (IOException e) {
              System.exit(3);
            }
          });
          up.setDaemon(true);
          up.start();
          OutputStream out = new FileOutputStream(FileDescriptor.out);
          ByteBuffer buf = ByteBuffer.allocate(8192);
          while (ch.read(buf) > 0) {
            out.write(buf.array(), 0, buf.position());
            out.flush();
            buf.clear();
          }
          System.exit(0);
        }
      }
      """;

  private final Process relay;
  private final ServerSocket front;
  private final long pid;
  private final ManagedChannel channel;
  private final BlockingQueue<Object> replies = new LinkedBlockingQueue<>();
  private StreamObserver<ApplicationMessage> out;

  /** Fails (CI) or skips the test unless this process can run others as another user. */
  static void requireRoot() {
    if (LocalAccounts.agentUid() != 0) {
      HostRequirement.unmet("this test runs a subscriber as another user: not running as root (uid "
          + LocalAccounts.agentUid() + ")");
    }
    if (!Files.isExecutable(Path.of("/usr/bin/setpriv")) && !Files.isExecutable(Path.of("/bin/setpriv"))) {
      HostRequirement.unmet("this test runs a subscriber as another user with setpriv (util-linux): not installed");
    }
  }

  /** Starts the relay as {@code uid:gid}, connected to {@code socket}, and the gRPC channel through it. */
  Subscriber(Path dir, Path socket, int uid, int gid) throws IOException {
    Path source = dir.resolve("Relay.java");
    if (!Files.exists(source)) {
      Files.writeString(source, RELAY, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r--r--"));
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    relay = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--", java,
        "-XX:-UsePerfData", "-Xmx32m", "-Xshare:auto", source.toString(), socket.toString())
        .directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    front = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    pumpWhenConnected();
    channel = NettyChannelBuilder.forAddress(InetAddress.getLoopbackAddress().getHostAddress(), front.getLocalPort())
        .usePlaintext().build();
    pid = relay.pid();
  }

  /** A subscriber connecting from this very process (as the agent's user), for the real application. */
  Subscriber(Path socket) {
    relay = null;
    front = null;
    pid = ProcessHandle.current().pid();
    channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .channelType(EpollDomainSocketChannel.class).eventLoopGroup(LOCAL).usePlaintext().build();
  }

  /** The process that connected to the hub. */
  long pid() {
    return pid;
  }

  private void pumpWhenConnected() {
    Thread t = new Thread(() -> {
      try {
        Socket s = front.accept();
        pump(s.getInputStream(), relay.getOutputStream());
        pump(relay.getInputStream(), s.getOutputStream());
      } catch (IOException e) {
        // closed by close()
      }
    }, "relay-accept");
    t.setDaemon(true);
    t.start();
  }

  private static void pump(InputStream in, OutputStream to) {
    Thread t = new Thread(() -> {
      byte[] b = new byte[8192];
      try (in; to) {
        for (int n; (n = in.read(b)) > 0; ) {
          to.write(b, 0, n);
          to.flush();
        }
      } catch (IOException e) {
        // one side went away; closing the other ends the stream
      }
    }, "relay-pump");
    t.setDaemon(true);
    t.start();
  }

  /** Opens the Subscribe stream and sends the identity (claiming pid 1, which the hub must not believe). */
  Subscriber subscribe(String application) {
    out = WriterServiceGrpc.newStub(channel).subscribe(new StreamObserver<>() {
      @Override
      public void onNext(WriterRequest r) {
        replies.add(r);
      }

      @Override
      public void onError(Throwable t) {
        replies.add(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        replies.add(Status.OK);
      }
    });
    out.onNext(ApplicationMessage.newBuilder().setIdentity(WriterIdentity.newBuilder().setApplication(application)
        .setPid(1)).build());
    return this;
  }

  /** The next thing the hub says: a {@link WriterRequest} or the {@link Status} the stream ended with. */
  Object next() throws InterruptedException {
    Object r = replies.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(r).as("a reply from the hub within " + WAIT).isNotNull();
    return r;
  }

  /** Answers request {@code r} with OK. */
  void ok(WriterRequest r) {
    out.onNext(ApplicationMessage.newBuilder().setAnswer(WriterAnswer.newBuilder().setRequestId(r.getRequestId())
        .setOutcome(WriterOutcome.WRITER_OUTCOME_OK)).build());
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    if (relay != null) {
      front.close();
      relay.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
