package io.groupsnap.agent.registry;

import com.google.protobuf.InvalidProtocolBufferException;
import io.groupsnap.agent.restore.InPlaceRestores;
import io.groupsnap.common.Formats;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.InPlaceRestore;
import io.groupsnap.proto.v1.InPlaceState;
import java.io.IOException;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * The leader's in-place restore records ({@code restores/<id>}, an {@link InPlaceRestore} each) as an agent reads
 * them: to switch only past the commit point, and to settle a switch a restart interrupted. A record that does not
 * decode, names another restore, is of a format this agent does not read or is in a state it does not know is not
 * used: it answers an exception, and nothing is decided on it. Thread-safe.
 */
public final class InPlaceRecords implements InPlaceRestores.Records {
  private final CuratorFramework zk;
  private final ZkLayout layout;

  public InPlaceRecords(CuratorFramework zk, ZkLayout layout) {
    this.zk = zk;
    this.layout = layout;
  }

  @Override
  public Optional<InPlaceState> state(String restoreId) throws Exception {
    String path = layout.restore(restoreId);
    byte[] data;
    try {
      data = zk.getData().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    }
    InPlaceRestore r;
    try {
      r = InPlaceRestore.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("record " + path + " does not decode as an InPlaceRestore");
    }
    String problem = Formats.problem("InPlaceRestore", r.getFormatVersion());
    if (problem != null) {
      throw new IOException("record " + path + " " + problem);
    }
    if (!r.getRestoreId().equals(restoreId)) {
      throw new IOException("record " + path + " names restore '" + r.getRestoreId() + "'");
    }
    if (r.getState() == InPlaceState.UNRECOGNIZED || r.getState() == InPlaceState.IN_PLACE_STATE_UNSPECIFIED) {
      throw new IOException("record " + path + " is in a state this agent does not know");
    }
    return Optional.of(r.getState());
  }
}
