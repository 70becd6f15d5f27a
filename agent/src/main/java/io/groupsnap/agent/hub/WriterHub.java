package io.groupsnap.agent.hub;

import io.groupsnap.common.Daemons;
import io.groupsnap.common.Names;
import io.groupsnap.proto.v1.WriterAnswer;
import io.groupsnap.proto.v1.WriterIdentity;
import io.groupsnap.proto.v1.WriterOutcome;
import io.groupsnap.proto.v1.WriterPhase;
import io.groupsnap.proto.v1.WriterRequest;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's endpoint for applications that take part as writers (writer kind {@code grpc}): serves the
 * {@code WriterService} of {@code writer.proto} and keeps, per application, its one open {@link Subscription}.
 *
 * <p>Where: a Unix domain socket at the path given (by default {@code <stateDir>/writers.sock}), by default mode 0660
 * in the agent's group ({@link SocketAccess}), so that the agent's user and group may connect. A socket left by a
 * previous run is removed at start; one another process still listens on is an error. Where Unix domain sockets are
 * not available (no epoll, or a path longer than 107 bytes) the hub listens on loopback TCP and writes an endpoint
 * file (mode 0600) at that path naming the port and a random token that subscribers must present.
 *
 * <p>Who: on the Unix domain socket every subscriber's process is identified by the kernel ({@code SO_PEERCRED}, see
 * {@link PeerCredentials}) and must be admitted by its application's {@link PeerRule} — by default only processes of
 * the agent's own user — or is refused with {@code PERMISSION_DENIED} before it can take the application's place.
 * Over loopback TCP there are no peer credentials: the token, readable by the agent's user only, is the whole check.
 *
 * <p>One subscriber per application: while one is connected, a second one is refused with {@code ALREADY_EXISTS}.
 * The connected one keeps its place because it may be holding its writes for a snapshot right now; a replacement
 * would silently break that hold. A restarted application gets in as soon as its predecessor's stream is seen to end
 * (at once for a process that exited: the kernel closes its socket).
 *
 * <p>Lifecycle {@code LATENT → STARTED → CLOSED}; {@link #close()} is idempotent, ends every subscription with
 * {@code UNAVAILABLE} and removes the socket. Thread-safe.
 */
public final class WriterHub implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WriterHub.class);
  /** The default file name under the agent's state directory. */
  public static final String SOCKET_NAME = "writers.sock";

  /** How the hub listens. */
  public enum Transport {
    /** A Unix domain socket where possible, else loopback TCP with an endpoint file. */
    AUTO,
    /** Loopback TCP with an endpoint file (tests, and hosts without Unix domain sockets). */
    TCP
  }

  private enum State { LATENT, STARTED, CLOSED }

  /** What the configuration says about an application: the writer that serves it and that writer's volumes. */
  record Registration(String writer, Set<String> volumes, PeerRule peers) {}

  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final String agentId;
  private final Path path;
  private final Transport transport;
  private final SocketAccess access;
  private final Map<String, Registration> registrations = new ConcurrentHashMap<>();
  private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private final AtomicLong requestIds = new AtomicLong();
  private volatile String token = "";
  private volatile String endpoint;
  private Server server;
  private EventLoopGroup group;

  /**
   * @param agentId named in requests, for the application's logs
   * @param path where the socket (or the endpoint file) is made
   */
  public WriterHub(String agentId, Path path, Transport transport) {
    this(agentId, path, transport, SocketAccess.DEFAULT);
  }

  /**
   * @param agentId named in requests, for the application's logs
   * @param path where the socket (or the endpoint file) is made
   * @param access the socket's mode and group
   */
  public WriterHub(String agentId, Path path, Transport transport, SocketAccess access) {
    this.agentId = agentId;
    this.path = path.toAbsolutePath().normalize();
    this.transport = transport;
    this.access = access;
    this.endpoint = this.path.toString();
  }

  /** As {@link #register(String, String, Set, PeerRule)}, admitting only processes of the agent's own user. */
  public void register(String application, String writer, Set<String> volumes) {
    register(application, writer, volumes, PeerRule.agentUserOnly("options.peer of writer " + writer));
  }

  /**
   * Declares that writer {@code writer} serves {@code application}; only declared applications may subscribe, and
   * only from processes {@code peers} admits.
   *
   * @throws IllegalArgumentException when another writer already serves it
   */
  public void register(String application, String writer, Set<String> volumes, PeerRule peers) {
    Registration previous = registrations.putIfAbsent(application, new Registration(writer, Set.copyOf(volumes),
        peers));
    if (previous != null && !previous.writer().equals(writer)) {
      throw new IllegalArgumentException("application " + application + " is served by writers " + previous.writer()
          + " and " + writer + "; one writer per application");
    }
  }

  /** Starts serving. On failure nothing is left listening. */
  public WriterHub start() throws IOException {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("writer hub already started");
    }
    try {
      Files.createDirectories(path.getParent());
      HubSocket.clearStale(path);
      String why = unixSocketUnavailable();
      if (why == null) {
        serveUnixSocket();
      } else {
        if (transport == Transport.AUTO) {
          log.warn("writer hub: {}; serving applications on loopback TCP instead (endpoint file {}, readable by the "
              + "agent's user only: no peer credentials there)", why, path);
        }
        serveLoopback();
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    log.info("writer hub of agent {} serving applications on {}", agentId, endpoint);
    return this;
  }

  private String unixSocketUnavailable() {
    if (transport == Transport.TCP) {
      return "loopback TCP chosen";
    }
    if (!Epoll.isAvailable()) {
      return "Unix domain sockets need epoll, which is not available (" + Epoll.unavailabilityCause() + ")";
    }
    if (!HubSocket.fits(path)) {
      return "socket path " + path + " is longer than " + HubSocket.MAX_SOCKET_PATH + " bytes";
    }
    return null;
  }

  private void serveUnixSocket() throws IOException {
    group = new MultiThreadIoEventLoopGroup(1, Daemons.named("groupsnap-writer-hub-" + agentId),
        EpollIoHandler.newFactory());
    server = builder(NettyServerBuilder.forAddress(new DomainSocketAddress(path.toString()))
        .channelType(EpollServerDomainSocketChannel.class)
        .protocolNegotiator(PeerCredentials.negotiator())
        .withChildOption(ChannelOption.SO_KEEPALIVE, null) // gRPC's default; a Unix socket has no such option
        .bossEventLoopGroup(group)
        .workerEventLoopGroup(group)).build().start();
    access.apply(path);
    endpoint = path.toString();
  }

  private void serveLoopback() throws IOException {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    token = HexFormat.of().formatHex(secret);
    server = builder(NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        .build().start();
    String hostPort = InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getPort();
    HubSocket.writeEndpointFile(path, hostPort, token);
    endpoint = hostPort + " (endpoint file " + path + ")";
  }

  private NettyServerBuilder builder(NettyServerBuilder b) {
    return b.addService(ServerInterceptors.intercept(new WriterHubService(this), PeerCredentials.interceptor()))
        .maxInboundMessageSize(64 * 1024);
  }

  /** Where applications connect: the socket (or endpoint file) path. */
  public Path path() {
    return path;
  }

  /** The endpoint as the operator should read it in a message: the socket path, or the TCP address and its file. */
  public String endpoint() {
    return endpoint;
  }

  /** Whether the hub serves on a Unix domain socket (false: loopback TCP). Valid once started. */
  public boolean unixSocket() {
    return token.isEmpty();
  }

  public String agentId() {
    return agentId;
  }

  /** True while {@code application} is subscribed and has acknowledged its IDENTIFY. */
  public boolean isConnected(String application) {
    return connected(application) != null;
  }

  /** The application's ready subscription, or null. */
  public Subscription connected(String application) {
    Subscription s = subscriptions.get(application);
    return s != null && s.isReady() ? s : null;
  }

  /**
   * Admits a new subscriber, or refuses it with the status its stream must end with. Sends the IDENTIFY request; the
   * subscription counts as connected once the application acknowledged it.
   *
   * @param peer the subscribing process as the kernel knows it; null over loopback TCP
   */
  Subscription admit(WriterIdentity id, StreamObserver<WriterRequest> out, Peer peer) throws StatusException {
    if (state.get() != State.STARTED) {
      throw Status.UNAVAILABLE.withDescription("agent " + agentId + " is shutting down").asException();
    }
    String app = id.getApplication();
    if (!Names.isValid(app)) {
      throw Status.INVALID_ARGUMENT.withDescription(invalidName(app)).asException();
    }
    if (!token.isEmpty() && !MessageDigest.isEqual(token.getBytes(StandardCharsets.US_ASCII),
        id.getToken().getBytes(StandardCharsets.US_ASCII))) {
      throw Status.PERMISSION_DENIED.withDescription("wrong or missing token (read it from " + path + ")")
          .asException();
    }
    Registration reg = registrations.get(app);
    if (reg == null) {
      throw Status.NOT_FOUND.withDescription("no writer of kind grpc on agent " + agentId + " serves application "
          + app + " (served: " + (registrations.isEmpty() ? "none" : String.join(", ",
              new TreeMap<>(registrations).keySet())) + ")").asException();
    }
    checkPeer(app, reg, peer);
    long pid = peer != null ? peer.pid() : id.getPid();
    Subscription sub = new Subscription(app, pid, id.getVolumesList(), out, requestIds);
    synchronized (subscriptions) {
      Subscription existing = subscriptions.get(app);
      if (existing != null && existing.isOpen()) {
        throw Status.ALREADY_EXISTS.withDescription("application " + app + " is already subscribed (pid "
            + existing.pid() + "); one subscriber per application").asException();
      }
      subscriptions.put(app, sub);
    }
    sub.call(WriterRequest.newBuilder().setPhase(WriterPhase.WRITER_PHASE_IDENTIFY).setAgentId(agentId)
        .setWriter(reg.writer()).addAllVolumes(reg.volumes().stream().sorted().toList()))
        .whenComplete((answer, failure) -> identified(sub, answer, failure));
    return sub;
  }

  /** Refuses a process the application's rule does not admit; on the Unix domain socket only (see the class doc). */
  private void checkPeer(String app, Registration reg, Peer peer) throws StatusException {
    if (!unixSocket()) {
      return;
    }
    String why = peer == null ? "its credentials are unknown" : reg.peers().refusal(peer).orElse(null);
    if (why == null) {
      return;
    }
    String who = peer == null ? "a process" : "the process of " + peer;
    log.warn("writer hub: refused {} subscribing as application {}: {} (change {})", who, app, why,
        reg.peers().field());
    throw Status.PERMISSION_DENIED.withDescription(who + " may not subscribe as application " + app + ": " + why
        + " (change " + reg.peers().field() + " on agent " + agentId + ")").asException();
  }

  private void identified(Subscription sub, WriterAnswer answer, Throwable failure) {
    if (failure != null) {
      return; // the stream ended first; ended() has cleaned up
    }
    if (answer.getOutcome() != WriterOutcome.WRITER_OUTCOME_OK) {
      sub.end(Status.FAILED_PRECONDITION.withDescription("application " + sub.application()
          + " declined its subscription: " + answer.getReason()));
      subscriptions.remove(sub.application(), sub);
      return;
    }
    sub.markReady();
    List<String> volumes = sub.volumes();
    log.info("writer hub: application {} (pid {}) subscribed{}", sub.application(), sub.pid(),
        volumes.isEmpty() ? "" : ", writes to " + volumes);
  }

  /** A subscription's stream ended (either side). */
  void ended(Subscription sub, String why) {
    boolean wasReady = sub.isReady();
    sub.ended(why);
    subscriptions.remove(sub.application(), sub);
    if (wasReady) {
      log.info("writer hub: application {} (pid {}) unsubscribed: {}", sub.application(), sub.pid(), why);
    }
  }

  /** Why {@code app} is not a usable application name, in one line. */
  public static String invalidName(String app) {
    return app.isEmpty() ? "application name is missing"
        : "application name '" + Names.printable(app) + "' is not a valid name (letters, digits, '.', '_', '-'; "
            + "starts with a letter or digit; at most 63)";
  }

  /** Ends every subscription, stops serving and removes the socket or endpoint file. Idempotent. */
  @Override
  public void close() {
    State was = state.getAndSet(State.CLOSED);
    if (was == State.CLOSED) {
      return;
    }
    for (Subscription s : List.copyOf(subscriptions.values())) {
      s.end(Status.UNAVAILABLE.withDescription("agent " + agentId + " is shutting down"));
    }
    subscriptions.clear();
    if (server != null) {
      server.shutdownNow();
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (group != null) {
      group.shutdownGracefully(0, Duration.ofSeconds(2).toMillis(), TimeUnit.MILLISECONDS);
    }
    if (was == State.STARTED && server != null) {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        log.warn("writer hub: could not remove {}: {}", path, e.toString());
      }
    }
  }
}
