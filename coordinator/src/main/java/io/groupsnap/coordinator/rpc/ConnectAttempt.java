package io.groupsnap.coordinator.rpc;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.util.concurrent.CompletableFuture;

/**
 * The outcome of one fresh connection attempt on a channel, without blocking a thread: completes with true once the
 * channel is READY, with false once an attempt made after this call failed (TRANSIENT_FAILURE) or the channel shut
 * down. A channel in backoff after an earlier failure is told to try again at once, so an agent that is back is
 * reached and one that is still down is known as soon as its connection is refused.
 *
 * <p>Why (issue 14, a few dead members among 1,000): PREPARE used to wait for the channel to become ready until its
 * deadline, so one member whose host was down held the whole group for the full prepare timeout (30 s by default)
 * before it aborted. With this, a refused connection aborts the group at once; a host that drops packets still costs
 * up to the connect timeout or the PREPARE deadline, whichever comes first. Nothing is frozen at PREPARE, and
 * aborting is always safe, so the protocol's guarantees do not change.
 */
final class ConnectAttempt {
  private ConnectAttempt() {}

  /** See the class comment. */
  static CompletableFuture<Boolean> of(ManagedChannel channel) {
    CompletableFuture<Boolean> out = new CompletableFuture<>();
    ConnectivityState now = channel.getState(true); // IDLE: starts connecting
    if (now == ConnectivityState.READY || now == ConnectivityState.SHUTDOWN) {
      out.complete(now == ConnectivityState.READY); // a shut-down channel changes state no more: say so now
      return out;
    }
    if (now == ConnectivityState.TRANSIENT_FAILURE) {
      channel.resetConnectBackoff(); // the last failure is old news: try again now
    }
    follow(channel, now, now != ConnectivityState.TRANSIENT_FAILURE, out);
    return out;
  }

  /**
   * @param attempted a connection attempt has started since {@link #of} was called (so a TRANSIENT_FAILURE seen now
   *     is its outcome, not the earlier one)
   */
  private static void follow(ManagedChannel channel, ConnectivityState from, boolean attempted,
      CompletableFuture<Boolean> out) {
    channel.notifyWhenStateChanged(from, () -> {
      ConnectivityState now = channel.getState(false);
      switch (now) {
        case READY -> out.complete(true);
        case SHUTDOWN -> out.complete(false);
        case TRANSIENT_FAILURE -> {
          if (attempted) {
            out.complete(false);
          } else {
            channel.resetConnectBackoff();
            follow(channel, now, false, out);
          }
        }
        case IDLE -> {
          channel.getState(true);
          follow(channel, now, attempted, out);
        }
        default -> follow(channel, now, true, out); // CONNECTING
      }
    });
  }
}
