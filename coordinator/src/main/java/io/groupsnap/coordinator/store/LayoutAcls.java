package io.groupsnap.coordinator.store;

import io.groupsnap.common.ZkLayout;
import io.groupsnap.common.zkauth.ClusterAcls;
import java.util.HashSet;
import java.util.List;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;

/**
 * Brings the ACLs of a cluster's existing nodes to {@link ClusterAcls}' at a coordinator's start: a cluster made
 * before ZooKeeper ACLs (every node open to anyone), or a directory an agent had to make, is tightened; nodes made by
 * a coordinator with credentials already have their ACL from birth ({@link ClusterAcls} is its client's provider).
 *
 * <p>A node's children are brought in line before the node itself, so a node whose ACL is already right has a subtree
 * that is right too (a start interrupted half-way leaves the upper nodes open, and the next start walks them again);
 * a start on a secured cluster therefore reads two ACLs, the root's and the base's. The agents' registrations under
 * {@code agents/} are theirs and left alone: an open one vanishes with its agent's session. A refusal of ZooKeeper
 * (NoAuth: the credentials are not those the nodes were secured with) is thrown as it is, naming its node.
 * Idempotent; safe to run beside another coordinator doing the same.
 */
public final class LayoutAcls {
  private final CuratorFramework zk;
  private final ZkLayout layout;
  private final ClusterAcls acls;

  public LayoutAcls(CuratorFramework zk, ZkLayout layout, ClusterAcls acls) {
    this.zk = zk;
    this.layout = layout;
    this.acls = acls;
  }

  /**
   * Tightens what differs; reports one line per kind of node changed (the root, the base, each of its direct
   * children with the number of nodes under it) to {@code report}.
   */
  public void secure(Consumer<String> report) throws Exception {
    if (align(ZkLayout.ROOT, false) > 0) {
      report.accept(ZkLayout.ROOT + ": ACL tightened to " + describe(acls.node()));
    }
    if (aclMatches(layout.base())) {
      return;
    }
    for (String child : children(layout.base())) {
      String path = layout.base() + "/" + child;
      int n = align(path, true);
      if (n > 0) {
        report.accept(path + (n > 1 ? " and " + (n - 1) + " node(s) under it" : "") + ": ACL tightened to "
            + describe(acls.expected(path)));
      }
    }
    if (align(layout.base(), false) > 0) {
      report.accept(layout.base() + ": ACL tightened to " + describe(acls.node()));
    }
  }

  /** Sets the expected ACL on {@code path} (and first, when {@code deep}, its subtree); returns the nodes changed. */
  private int align(String path, boolean deep) throws Exception {
    if (aclMatches(path)) {
      return 0;
    }
    int changed = 0;
    if (deep && !path.equals(layout.agents())) {
      for (String child : children(path)) {
        changed += align(path + "/" + child, true);
      }
    }
    try {
      zk.setACL().withACL(acls.getAclForPath(path)).forPath(path);
      return changed + 1;
    } catch (KeeperException.NoNodeException gone) {
      return changed; // an ephemeral latch node whose session ended, a record deleted meanwhile
    }
  }

  private boolean aclMatches(String path) throws Exception {
    List<ACL> now;
    try {
      now = zk.getACL().forPath(path);
    } catch (KeeperException.NoNodeException gone) {
      return true;
    }
    return new HashSet<>(now).equals(new HashSet<>(acls.expected(path)));
  }

  private List<String> children(String path) throws Exception {
    try {
      return zk.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException gone) {
      return List.of();
    }
  }

  private static String describe(List<ACL> acl) {
    StringBuilder out = new StringBuilder();
    for (ACL a : acl) {
      String id = a.getId().getId();
      int colon = id.indexOf(':');
      out.append(out.length() == 0 ? "" : ", ").append(colon < 0 ? id : id.substring(0, colon)).append(' ')
          .append(perms(a.getPerms()));
    }
    return out.toString();
  }

  private static String perms(int p) {
    return p == Perms.ALL ? "ALL" : ((p & Perms.READ) != 0 ? "READ" : "") + ((p & Perms.CREATE) != 0 ? "|CREATE" : "");
  }
}
