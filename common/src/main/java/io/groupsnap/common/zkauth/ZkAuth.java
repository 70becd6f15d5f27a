package io.groupsnap.common.zkauth;

import java.util.Objects;
import org.apache.curator.framework.api.ACLProvider;

/**
 * How a client authenticates to ZooKeeper and which ACL the nodes it creates get.
 *
 * @param credentials the digest users it authenticates as
 * @param acls the ACL of every node it creates; null for a client that creates nothing (the operator's CLI)
 */
public record ZkAuth(ZkCredentials credentials, ACLProvider acls) {
  public ZkAuth {
    Objects.requireNonNull(credentials, "credentials");
  }
}
