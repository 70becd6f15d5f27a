package io.groupsnap.coordinator.audit;

import com.google.protobuf.InvalidProtocolBufferException;
import io.groupsnap.common.Names;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.AuditEntry;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.RecordKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

/**
 * The audit trail in ZooKeeper: {@code audit/e-<sequence>}, one persistent sequential node per {@link AuditEntry}, so
 * that ZooKeeper orders entries from every coordinator in one sequence and a later entry has a greater name. Entries
 * are only ever added, and removed by the leader's {@link AuditPruner}.
 *
 * <p>An entry that cannot be decoded (garbage bytes, or bytes that decode to an entry without a time or method) is
 * reported apart as a {@link DamagedRecord} of kind {@code RECORD_AUDIT}, with the node's mtime, and never stops a
 * listing or a pruning pass.
 *
 * <p>A create that Curator retries after a lost connection may have been applied by the first attempt too: the entry
 * may then appear twice (never not at all once {@link #append} returned). Thread-safe.
 */
public final class AuditStore {
  private static final Duration READ_WAIT = Duration.ofSeconds(30);

  /** One node read: exactly one of {@code entry} and {@code damage} is set; {@code atMillis} orders it in time. */
  record Read(String name, AuditEntry entry, DamagedRecord damage, long atMillis) {}

  private final CuratorFramework zk;
  private final ZkLayout layout;

  public AuditStore(CuratorFramework zk, ZkLayout layout) {
    this.zk = zk;
    this.layout = layout;
  }

  ZkLayout layout() {
    return layout;
  }

  /**
   * Writes one entry durably (the create is acknowledged by a ZooKeeper quorum); recreates {@code audit/} when it is
   * gone. Returns the entry's node name.
   */
  public String append(AuditEntry entry) throws Exception {
    String path = zk.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
        .forPath(layout.auditEntryPrefix(), entry.toByteArray());
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** The names of every entry, oldest first; empty when the directory does not exist. */
  List<String> names() throws Exception {
    List<String> names;
    try {
      names = zk.getChildren().forPath(layout.audit());
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    }
    return names.stream().filter(n -> n.startsWith(ZkLayout.AUDIT_ENTRY_PREFIX)).sorted().toList();
  }

  /**
   * The entries named, read in one pipelined batch (about one round trip however many), in the order given; those
   * removed meanwhile are left out.
   */
  List<Read> read(List<String> names) throws Exception {
    Map<String, CuratorEvent> answers = new ConcurrentHashMap<>();
    CountDownLatch answered = new CountDownLatch(names.size());
    for (String name : names) {
      zk.getData().inBackground((client, event) -> {
        answers.put(name, event);
        answered.countDown();
      }).forPath(path(name));
    }
    if (!answered.await(READ_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw KeeperException.create(KeeperException.Code.OPERATIONTIMEOUT, layout.audit());
    }
    List<Read> out = new ArrayList<>();
    for (String name : names) {
      CuratorEvent event = answers.get(name);
      KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
      if (code == KeeperException.Code.NONODE) {
        continue;
      }
      if (code != KeeperException.Code.OK) {
        throw KeeperException.create(code, path(name));
      }
      out.add(decode(name, event.getData(), event.getStat().getMtime()));
    }
    return out;
  }

  String path(String name) {
    return layout.audit() + "/" + name;
  }

  private Read decode(String name, byte[] data, long mtime) {
    String problem;
    AuditEntry entry = null;
    try {
      entry = AuditEntry.parseFrom(data);
      problem = entry.getAtMillis() <= 0 ? "decodes to an entry without a time"
          : entry.getMethod().isEmpty() ? "decodes to an entry without a method" : null;
    } catch (InvalidProtocolBufferException e) {
      problem = "does not decode as an AuditEntry (" + data.length + " bytes)";
    }
    if (problem == null) {
      return new Read(name, entry, null, entry.getAtMillis());
    }
    DamagedRecord damage = DamagedRecord.newBuilder().setKind(RecordKind.RECORD_AUDIT).setId(Names.printable(name))
        .setPath(Names.printable(path(name))).setReason(problem).setModifiedAtMillis(mtime).build();
    return new Read(name, null, damage, mtime);
  }
}
