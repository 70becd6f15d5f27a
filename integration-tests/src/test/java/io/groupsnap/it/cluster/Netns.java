package io.groupsnap.it.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * One simulated host: a network namespace attached to its cluster's bridge by a veth pair, with one address from
 * 198.18.0.0/15. Created and deleted only by {@link Network}; immutable.
 */
public final class Netns {
  private final String hostName;
  private final String name;
  private final String address;
  private final String rootVeth;
  private final String peerVeth;

  Netns(String hostName, String name, String address, String rootVeth, String peerVeth) {
    this.hostName = hostName;
    this.name = name;
    this.address = address;
    this.rootVeth = rootVeth;
    this.peerVeth = peerVeth;
  }

  /** The logical host name, e.g. {@code agent-2} or {@code zk1}. */
  public String hostName() {
    return hostName;
  }

  /** The namespace name as {@code ip netns} knows it. */
  public String name() {
    return name;
  }

  /** The host's IPv4 address on the bridge. */
  public String address() {
    return address;
  }

  /** The veth end in the root namespace: taking it down cuts the host off. */
  String rootVeth() {
    return rootVeth;
  }

  String peerVeth() {
    return peerVeth;
  }

  /** {@code argv} prefixed so that it runs inside this namespace ({@code ip netns exec} execs it directly). */
  public List<String> exec(List<String> argv) {
    List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", name));
    out.addAll(argv);
    return out;
  }

  @Override
  public String toString() {
    return hostName + " (" + name + ", " + address + ")";
  }
}
