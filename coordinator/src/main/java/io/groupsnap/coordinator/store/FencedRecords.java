package io.groupsnap.coordinator.store;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.groupsnap.common.Formats;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.RecordKind;
import java.util.Optional;
import java.util.function.BiFunction;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * The leader's records of one kind in one ZooKeeper directory ({@code groups/}, ...), one protobuf message per child
 * node named by the record's name: read and listed like transaction records (a record that cannot be used is
 * quarantined and listed apart as a {@link DamagedRecord}, never failing a listing, see {@link RecordReader}), and
 * written only under a leader's {@link ClusterStore.Fence}, verified by reading back like every leader write
 * ({@link FencedWrites}). Every record written carries {@link Formats#CURRENT} in its {@code format_version}.
 * Thread-safe.
 *
 * @param <T> the record's message type
 */
public final class FencedRecords<T extends Message> {
  /**
   * One node as found: exactly one of {@code record} and {@code damage} is set.
   *
   * @param version the node's version as read, for a replacement at that version
   */
  public record Found<T>(T record, DamagedRecord damage, int version) {
    /** The record, or the quarantine as an exception. */
    public T orThrow() throws DamagedRecordException {
      if (damage != null) {
        throw new DamagedRecordException(damage);
      }
      return record;
    }
  }

  private final CuratorFramework zk;
  private final String dir;
  private final RecordReader reader;
  private final FencedWrites writes;
  private final RecordReader.Codec<T> codec;

  /**
   * @param dir the directory, one of the layout's persistent {@link ZkLayout#directories()}
   * @param type the message's name, for a damaged record's reason
   * @param problem why a decoded record cannot be the one the node of that name holds, or null when it can
   */
  public FencedRecords(CuratorFramework zk, ZkLayout layout, String dir, RecordKind kind, String type,
      Parser<T> parser, BiFunction<T, String, String> problem) {
    this.zk = zk;
    this.dir = dir;
    this.reader = new RecordReader(zk);
    this.writes = new FencedWrites(zk, layout);
    this.codec = new RecordReader.Codec<>(kind, type, parser, problem::apply);
  }

  public String path(String name) {
    return dir + "/" + name;
  }

  /** The node {@code name}, decoded or quarantined; empty when there is none. */
  public Optional<Found<T>> find(String name) throws Exception {
    return reader.read(path(name), codec)
        .map(r -> new Found<>(r.record(), r.damage(), r.stat().getVersion()));
  }

  /** Every record of the directory that decodes, and those quarantined, by name. */
  public Listing<T> list() throws Exception {
    return reader.list(dir, codec);
  }

  /**
   * Creates the record {@code name}.
   *
   * @throws KeeperException.NodeExistsException when there is one already (written by someone else)
   * @throws FencedWriteException when refused by the fence
   */
  public void create(String name, T record, ClusterStore.Fence f) throws Exception {
    T rec = Formats.stamp(record);
    String path = path(name);
    try {
      writes.write(path, rec, dir, () -> writes.fenced(f, zk.transactionOp().create().forPath(path,
          rec.toByteArray())));
    } catch (FencedWriteException e) {
      if (e.getCause() instanceof KeeperException.NodeExistsException exists) {
        throw exists;
      }
      throw e;
    }
  }

  /**
   * Replaces the record {@code name} at {@code version} (the one read): a write that landed in between makes this
   * one fail rather than be overwritten.
   *
   * @throws FencedWriteException when refused: deposed, a newer term, a write in between, or the node gone
   */
  public void replace(String name, T record, int version, ClusterStore.Fence f) throws Exception {
    T rec = Formats.stamp(record);
    String path = path(name);
    writes.write(path, rec, null, () -> writes.fenced(f, zk.transactionOp().setData().withVersion(version)
        .forPath(path, rec.toByteArray())));
  }

  /**
   * Removes the node {@code name}, whatever it holds (a quarantined record too).
   *
   * @return false when there was none
   * @throws FencedWriteException when refused by the fence
   */
  public boolean delete(String name, ClusterStore.Fence f) throws Exception {
    String path = path(name);
    if (zk.checkExists().forPath(path) == null) {
      return false;
    }
    try {
      zk.transaction().forOperations(writes.fenced(f, zk.transactionOp().delete().forPath(path)));
      return true;
    } catch (Exception e) {
      if (zk.checkExists().forPath(path) == null) {
        return true; // gone all the same (an earlier attempt of Curator's retry loop removed it)
      }
      throw new FencedWriteException("delete of " + path + " refused: " + e.getMessage(), e);
    }
  }
}
