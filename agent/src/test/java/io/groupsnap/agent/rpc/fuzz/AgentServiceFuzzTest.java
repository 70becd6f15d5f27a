package io.groupsnap.agent.rpc.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.groupsnap.agent.rpc.AgentGrpcService;
import io.groupsnap.agent.scrub.CaptureChecker;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import io.groupsnap.common.Printable;
import io.groupsnap.common.fuzz.FuzzChecks;
import io.groupsnap.common.fuzz.Hostile;
import io.groupsnap.common.fuzz.ShortFuzz;
import io.groupsnap.proto.v1.AbortRequest;
import io.groupsnap.proto.v1.CheckSnapshotRequest;
import io.groupsnap.proto.v1.CommitRequest;
import io.groupsnap.proto.v1.DeleteSnapshotRequest;
import io.groupsnap.proto.v1.FreezeRequest;
import io.groupsnap.proto.v1.ListSnapshotsRequest;
import io.groupsnap.proto.v1.PrepareRequest;
import io.groupsnap.proto.v1.ThawRequest;
import io.groupsnap.proto.v1.TxnHeader;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fuzzes every AgentService handler with sequences of calls whose fields are hostile (huge or odd strings, control
 * characters, "../", negative and huge numbers, repeated volumes, unknown epochs and clusters), against a real
 * {@link Participant} with a dir volume and a writer that records its holds — a fresh one per input, in a temporary
 * directory, the handlers called in process. Properties, per call and per input:
 *
 * <ul>
 *   <li>every call ends, with a status among those the service documents (never UNKNOWN or INTERNAL);
 *   <li>every status description is one printable line of bounded length;
 *   <li>once the coordinator aborts what the calls began, nothing is frozen: the participant holds nothing and the
 *       writer was released from every freeze;
 *   <li>no file outside the snapshot root is created, changed or deleted.
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentServiceFuzzTest {
  static final String CLUSTER = "c-1";
  static final List<String> TXNS = List.of("gs-1", "gs-2");
  static final List<String> VOLUMES = List.of("data", "logs");
  static final Set<Status.Code> EXPECTED = EnumSet.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
      Status.Code.FAILED_PRECONDITION, Status.Code.ABORTED, Status.Code.NOT_FOUND);
  private static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fuzz-agent-scheduler");
    t.setDaemon(true);
    return t;
  });
  private static final Path BASE;

  static {
    try {
      BASE = Files.createTempDirectory("groupsnap-agent-fuzz");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "5m")
  void calls(FuzzedDataProvider data) throws Exception {
    Path dir = Files.createTempDirectory(BASE, "in");
    try {
      new Run(dir).play(data);
    } finally {
      delete(dir);
    }
  }

  @Test
  @Order(1)
  void shortRun() {
    ShortFuzz.Report r = ShortFuzz.of(AgentServiceFuzzTest.class, "calls").budget(3000, 3000).maxLength(1024)
        .run(this::calls);
    assertThat(r.runs()).isGreaterThan(r.seeds());
  }

  /** One input: a fresh participant, its calls, and the checks. */
  private static final class Run {
    final Path dir;
    final Path snaps;
    final Holds holds = new Holds();
    final Participant participant;
    final AgentGrpcService service;
    final Set<String> txnsSeen = new LinkedHashSet<>();
    long maxEpoch = 1;

    Run(Path dir) throws IOException {
      this.dir = dir;
      Path data = Files.createDirectories(dir.resolve("data"));
      Path logs = Files.createDirectories(dir.resolve("logs"));
      Files.writeString(data.resolve("table"), "rows");
      Files.writeString(logs.resolve("wal"), "log");
      Files.writeString(dir.resolve("canary"), "outside the snapshot root");
      snaps = dir.resolve("snaps");
      Path state = snaps.resolve(".groupsnap-state");
      List<Volume> volumes = List.of(new DirVolume("data", data, snaps), new DirVolume("logs", logs, snaps));
      SnapshotCatalog catalog = SnapshotCatalog.onDisk(state);
      EpochFence fence = new EpochFence(state, CLUSTER);
      participant = new Participant("a1", volumes, List.of(holds), catalog, fence, snaps, Duration.ofSeconds(60),
          SCHEDULER, Clock.systemUTC());
      service = new AgentGrpcService(participant, new CaptureChecker("a1", volumes, catalog, fence,
          participant::isBusy, false, Clock.systemUTC()));
    }

    void play(FuzzedDataProvider data) throws Exception {
      Map<String, String> before = outside();
      int calls = data.consumeInt(1, 10);
      for (int i = 0; i < calls; i++) {
        call(data);
      }
      for (String txn : txnsSeen) { // what a coordinator does in the end: abort what it began
        Captured<?> c = new Captured<>();
        service.abort(AbortRequest.newBuilder().setHeader(TxnHeader.newBuilder().setClusterId(CLUSTER)
            .setEpoch(maxEpoch).setTxnId(txn)).build(), cast(c));
        check("final Abort", c);
      }
      assertThat(participant.isHolding()).as("the participant holds something after its aborts").isFalse();
      assertThat(holds.frozen).as("the writer is still frozen for").isEmpty();
      assertThat(outside()).as("files outside the snapshot root").isEqualTo(before);
    }

    private void call(FuzzedDataProvider data) {
      Captured<?> c = new Captured<>();
      int method = data.consumeInt(0, 7);
      boolean raw = data.consumeInt(0, 15) == 0; // a request decoded from the fuzzer's bytes: any field, any value
      byte[] bytes = raw ? data.consumeBytes(200) : null;
      String name;
      switch (method) {
        case 0 -> {
          name = "Prepare";
          PrepareRequest q = raw ? decode(PrepareRequest.parser(), bytes) : PrepareRequest.newBuilder()
              .setHeader(header(data)).addAllVolumes(Hostile.strings(data, VOLUMES, 4))
              .setLeaseMillis(Hostile.number(data, 5000, 30_000)).setFreezeWithinMillis(Hostile.number(data, 0, 1000))
              .build();
          seen(q.getHeader());
          service.prepare(q, cast(c));
        }
        case 1 -> {
          name = "Freeze";
          FreezeRequest q = raw ? decode(FreezeRequest.parser(), bytes) : FreezeRequest.newBuilder().setHeader(header(data))
              .setLeaseMillis(Hostile.number(data, 5000, 30_000)).build();
          seen(q.getHeader());
          service.freeze(q, cast(c));
        }
        case 2 -> {
          name = "Thaw";
          ThawRequest q = raw ? decode(ThawRequest.parser(), bytes) : ThawRequest.newBuilder().setHeader(header(data)).build();
          service.thaw(q, cast(c));
        }
        case 3 -> {
          name = "Commit";
          CommitRequest q = raw ? decode(CommitRequest.parser(), bytes)
              : CommitRequest.newBuilder().setHeader(header(data)).build();
          service.commit(q, cast(c));
        }
        case 4 -> {
          name = "Abort";
          AbortRequest q = raw ? decode(AbortRequest.parser(), bytes) : AbortRequest.newBuilder().setHeader(header(data))
              .build();
          service.abort(q, cast(c));
        }
        case 5 -> {
          name = "ListSnapshots";
          ListSnapshotsRequest q = raw ? decode(ListSnapshotsRequest.parser(), bytes) : ListSnapshotsRequest.newBuilder()
              .setGroupSnapshotId(data.consumeBoolean() ? "" : Hostile.string(data, TXNS)).build();
          service.listSnapshots(q, cast(c));
        }
        case 6 -> {
          name = "DeleteSnapshot";
          DeleteSnapshotRequest q = raw ? decode(DeleteSnapshotRequest.parser(), bytes) : DeleteSnapshotRequest.newBuilder()
              .setHeader(header(data)).build();
          service.deleteSnapshot(q, cast(c));
        }
        default -> {
          name = "CheckSnapshot";
          CheckSnapshotRequest q = raw ? decode(CheckSnapshotRequest.parser(), bytes) : CheckSnapshotRequest.newBuilder()
              .setHeader(header(data)).addAllVolumes(Hostile.strings(data, VOLUMES, 3))
              .setChecksum(data.consumeBoolean()).build();
          service.checkSnapshot(q, cast(c));
        }
      }
      check(name, c);
    }

    private TxnHeader header(FuzzedDataProvider data) {
      return TxnHeader.newBuilder().setClusterId(Hostile.string(data, List.of(CLUSTER)))
          .setEpoch(Hostile.number(data, 1, 2, 3)).setTxnId(Hostile.string(data, TXNS)).build();
    }

    private void seen(TxnHeader h) {
      if (h.getEpoch() > 0 && h.getClusterId().equals(CLUSTER)) {
        txnsSeen.add(h.getTxnId());
        maxEpoch = Math.max(maxEpoch, h.getEpoch());
      }
    }

    private void check(String method, Captured<?> c) {
      Status.Code code = c.code();
      assertThat(EXPECTED).as("%s ended with %s: %s", method, code, c.status).contains(code);
      if (c.status != null) {
        assertThat(c.status.getDescription()).as("%s %s has a description", method, code).isNotNull();
        FuzzChecks.printableLine(method + " status description", c.status.getDescription(),
            Printable.LINE_CHARS + 20);
      }
    }

    /** Every file and directory of the fuzz directory outside the snapshot root, with its content. */
    private Map<String, String> outside() throws IOException {
      Map<String, String> out = new TreeMap<>();
      try (Stream<Path> all = Files.walk(BASE)) {
        for (Path p : all.filter(p -> !p.startsWith(snaps)).toList()) {
          out.put(p.toString(), Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "dir");
        }
      }
      return out;
    }
  }

  /**
   * The request the bytes decode to; the default instance when they do not (the transport refuses those before any
   * handler: ServerEdge.guard, tested in AgentGrpcServiceTest).
   */
  private static <T extends MessageLite> T decode(Parser<T> parser, byte[] bytes) {
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      try {
        return parser.parseFrom(new byte[0]);
      } catch (InvalidProtocolBufferException impossible) {
        throw new AssertionError(impossible);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> Captured<T> cast(Captured<?> c) {
    return (Captured<T>) c;
  }

  /** A writer that keeps track of which transactions it is frozen for. */
  private static final class Holds implements Writer {
    final Set<String> frozen = ConcurrentHashMap.newKeySet();

    @Override
    public String name() {
      return "app";
    }

    @Override
    public String kind() {
      return "fuzz";
    }

    @Override
    public int tier() {
      return 0;
    }

    @Override
    public Set<String> volumes() {
      return Set.of();
    }

    @Override
    public WriterResult prepare(TxnContext txn) {
      return WriterResult.OK;
    }

    @Override
    public WriterResult freeze(TxnContext txn, Instant leaseDeadline) {
      frozen.add(txn.txnId());
      return WriterResult.OK;
    }

    @Override
    public WriterResult thaw(TxnContext txn) {
      frozen.remove(txn.txnId());
      return WriterResult.OK;
    }

    @Override
    public void abort(TxnContext txn) {
      frozen.remove(txn.txnId());
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
