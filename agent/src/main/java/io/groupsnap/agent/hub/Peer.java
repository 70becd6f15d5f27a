package io.groupsnap.agent.hub;

/**
 * The local process at the other end of a writer-hub connection, as the kernel recorded it when that process
 * connected to the Unix domain socket ({@code SO_PEERCRED}): unforgeable by the process itself. The pid is that of the
 * process that called {@code connect()}; {@code gid} is its effective group at that moment (supplementary groups are
 * not part of {@code SO_PEERCRED}).
 */
public record Peer(long pid, int uid, int gid) {
  @Override
  public String toString() {
    return "uid " + uid + " gid " + gid + " pid " + pid;
  }
}
