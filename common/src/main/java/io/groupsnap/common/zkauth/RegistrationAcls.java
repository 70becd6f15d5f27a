package io.groupsnap.common.zkauth;

import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

/**
 * The ACL of an agent's registration, as Curator's {@link ACLProvider} of that agent's client: the agent's own digest
 * user ({@code agent.<agentId>}, whose secret only that agent holds) may do anything, and whoever may read
 * {@code agents/} may read it — so neither another agent nor an anonymous client can change it. The readers are
 * copied from {@code agents/}'s ACL ({@link #readersFrom}) before the node is made.
 *
 * <p>Any other node such a client would create (only a directory missing from a cluster set up without credentials)
 * gets the same ACL; a coordinator with credentials resets it at its start. Thread-safe.
 */
public final class RegistrationAcls implements ACLProvider {
  private final Id self;
  private volatile List<ACL> acl;

  public RegistrationAcls(Id self) {
    this.self = self;
    this.acl = List.of(new ACL(Perms.ALL, self));
  }

  /** The digest user of an agent's own secret. */
  public static String user(String agentId) {
    return "agent." + agentId;
  }

  /** Takes every id that may read {@code agents/} (its ACL {@code parent}) as a reader of the registration. */
  public void readersFrom(List<ACL> parent) {
    List<ACL> next = new ArrayList<>();
    next.add(new ACL(Perms.ALL, self));
    for (ACL a : parent) {
      if ((a.getPerms() & Perms.READ) != 0 && !a.getId().equals(self)) {
        next.add(new ACL(Perms.READ, a.getId()));
      }
    }
    acl = List.copyOf(next);
  }

  public List<ACL> acl() {
    return acl;
  }

  @Override
  public List<ACL> getDefaultAcl() {
    return acl;
  }

  @Override
  public List<ACL> getAclForPath(String path) {
    return acl;
  }
}
