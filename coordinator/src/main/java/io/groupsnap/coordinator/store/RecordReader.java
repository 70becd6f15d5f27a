package io.groupsnap.coordinator.store;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Parser;
import io.groupsnap.common.Formats;
import io.groupsnap.common.Names;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.RecordKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads records out of ZooKeeper and decodes them. A record that cannot be used is <em>quarantined</em>: its bytes do
 * not decode (garbage, or cut off in the middle of a field), or they decode to something that is not the record its
 * node names (another id, no id, no state: what stray bytes that happen to parse look like). It comes back
 * as a {@link DamagedRecord} beside the good ones, never as an exception out of a listing, and is logged at WARN once
 * per written version of its node however often it is read. A record from a newer version, with fields this one does
 * not know, decodes (protobuf keeps unknown fields, and a rewrite keeps them too); one whose {@code format_version}
 * this build does not read ({@link Formats}: newer than {@link Formats#CURRENT}, written by a newer coordinator) is
 * quarantined rather than misread.
 *
 * <p>A record cut off exactly between two fields cannot be told from an older, shorter one by its bytes alone; it is
 * caught when it lost its id or state, and otherwise reads as the record it still is. Thread-safe.
 */
final class RecordReader {
  private static final Logger log = LoggerFactory.getLogger(RecordReader.class);
  private static final int MAX_DETAIL = 100;
  private static final Duration LIST_WAIT = Duration.ofSeconds(30);

  /** Why a decoded record cannot be the one the node {@code name} holds, or null when it can. */
  @FunctionalInterface
  interface Check<T> {
    String problem(T record, String name);
  }

  /** How one kind of record is decoded and checked against its node. */
  record Codec<T>(RecordKind kind, String type, Parser<T> parser, Check<T> check) {}

  static final Codec<GroupSnapshot> TRANSACTION = new Codec<>(RecordKind.RECORD_TRANSACTION, "GroupSnapshot",
      GroupSnapshot.parser(), RecordReader::groupSnapshotProblem);
  static final Codec<GroupSnapshot> MANIFEST = new Codec<>(RecordKind.RECORD_MANIFEST, "GroupSnapshot",
      GroupSnapshot.parser(), RecordReader::groupSnapshotProblem);
  static final Codec<AgentRegistration> AGENT = new Codec<>(RecordKind.RECORD_AGENT, "AgentRegistration",
      AgentRegistration.parser(), RecordReader::agentProblem);

  /**
   * One node as read: exactly one of {@code record} and {@code damage} is set.
   *
   * @param stat the node's stat as read (its version, for a write at that version)
   */
  record Read<T>(T record, DamagedRecord damage, Stat stat) {
    /** The record, or the quarantine as an exception. */
    T orThrow() throws DamagedRecordException {
      if (damage != null) {
        throw new DamagedRecordException(damage);
      }
      return record;
    }
  }

  private final CuratorFramework zk;
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  RecordReader(CuratorFramework zk) {
    this.zk = zk;
  }

  /** The node at {@code path}, decoded; empty when there is no such node. */
  <T> Optional<Read<T>> read(String path, Codec<T> codec) throws Exception {
    Stat stat = new Stat();
    byte[] data;
    try {
      data = zk.getData().storingStatIn(stat).forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    }
    return Optional.of(decode(path, data, stat, codec));
  }

  /**
   * Every child of {@code dir}, decoded; empty when {@code dir} does not exist. The reads are pipelined (sent at once,
   * answered in order by ZooKeeper), so a listing of thousands of records costs about one round trip, not thousands.
   */
  <T> Listing<T> list(String dir, Codec<T> codec) throws Exception {
    List<String> names;
    try {
      names = zk.getChildren().forPath(dir);
    } catch (KeeperException.NoNodeException e) {
      return new Listing<>(List.of(), List.of());
    }
    Map<String, CuratorEvent> answers = new ConcurrentHashMap<>();
    CountDownLatch answered = new CountDownLatch(names.size());
    for (String name : names) {
      zk.getData().inBackground((client, event) -> {
        answers.put(name, event);
        answered.countDown();
      }).forPath(dir + "/" + name);
    }
    if (!answered.await(LIST_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw KeeperException.create(KeeperException.Code.OPERATIONTIMEOUT, dir);
    }
    List<T> records = new ArrayList<>();
    List<DamagedRecord> damaged = new ArrayList<>();
    for (String name : names) {
      CuratorEvent event = answers.get(name);
      String path = dir + "/" + name;
      KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
      if (code == KeeperException.Code.NONODE) {
        continue; // removed meanwhile
      }
      if (code != KeeperException.Code.OK) {
        throw KeeperException.create(code, path);
      }
      Read<T> r = decode(path, event.getData(), event.getStat(), codec);
      if (r.damage() != null) {
        damaged.add(r.damage());
      } else {
        records.add(r.record());
      }
    }
    return new Listing<>(records, damaged);
  }

  private <T> Read<T> decode(String path, byte[] data, Stat stat, Codec<T> codec) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    String problem;
    T record = null;
    try {
      record = codec.parser().parseFrom(data);
      problem = record instanceof MessageOrBuilder m ? Formats.problem(codec.type(), Formats.version(m)) : null;
      if (problem == null) {
        problem = codec.check().problem(record, name);
      }
    } catch (InvalidProtocolBufferException e) {
      problem = "does not decode as a " + codec.type() + " (" + data.length + " bytes: " + firstSentence(e) + ")";
    }
    if (problem == null) {
      return new Read<>(record, null, stat);
    }
    DamagedRecord damage = DamagedRecord.newBuilder().setKind(codec.kind()).setId(Names.printable(name))
        .setPath(Names.printable(path)).setReason(problem).setModifiedAtMillis(stat.getMtime()).build();
    if (reported.add(path + "@" + stat.getMzxid())) {
      log.warn("quarantined record {}: it {}; it is listed as damaged and skipped by recovery until it is removed "
          + "or rewritten", damage.getPath(), problem);
    }
    return new Read<>(null, damage, stat);
  }

  private static String firstSentence(InvalidProtocolBufferException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int end = m.indexOf('.');
    m = end > 0 ? m.substring(0, end) : m;
    return m.length() > MAX_DETAIL ? m.substring(0, MAX_DETAIL) + "..." : m;
  }

  private static String groupSnapshotProblem(GroupSnapshot g, String name) {
    if (!g.getId().equals(name)) {
      return g.getId().isEmpty() ? "decodes to a record without an id" : "decodes to the record of another id";
    }
    if (g.getState() == GroupSnapshotState.STATE_UNSPECIFIED) {
      return "decodes to a record without a state";
    }
    return null;
  }

  private static String agentProblem(AgentRegistration a, String name) {
    if (!a.getAgentId().equals(name)) {
      return a.getAgentId().isEmpty() ? "decodes to a registration without an agent id"
          : "decodes to the registration of another agent";
    }
    if (a.getEndpoint().isEmpty()) {
      return "decodes to a registration without an endpoint";
    }
    return null;
  }
}
