package io.groupsnap.coordinator.rpc;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import io.groupsnap.common.tls.PeerCheck;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the coordinator's channels found wrong with the certificates agents presented, by channel: the last refusal
 * of each channel's {@link PeerCheck} (cleared by the next certificate that passes), so that a failed call can say
 * "presented the certificate of 'agent-3'" instead of a bare UNAVAILABLE; and calls that wait for their channel to
 * become ready (PREPARE) end as soon as a handshake of that channel is refused, instead of at their deadline.
 * Thread-safe: checks run on the transport's threads, calls are started from any.
 */
final class PeerRefusals {
  /** A call ended because the agent's certificate was refused; the message is the one-line refusal. */
  static final class RefusedException extends Exception {
    RefusedException(String why) {
      super(why, null, false, false);
    }
  }

  private final Map<String, String> last = new ConcurrentHashMap<>();
  private final Map<String, Set<SettableFuture<?>>> waiting = new ConcurrentHashMap<>();

  /** {@code check}, remembering its refusals under {@code channel}. */
  PeerCheck recording(String channel, PeerCheck check) {
    return peer -> {
      String why = check.refusal(peer);
      if (why == null) {
        last.remove(channel);
      } else {
        last.put(channel, why);
        for (SettableFuture<?> f : List.copyOf(waiting.getOrDefault(channel, Set.of()))) {
          f.setException(new RefusedException(why));
        }
      }
      return why;
    };
  }

  /** Why the last certificate {@code channel} saw was refused; empty when it passed or none was seen. */
  Optional<String> last(String channel) {
    return Optional.ofNullable(last.get(channel));
  }

  /**
   * {@code call}, ended early with a {@link RefusedException} (and cancelled) when a handshake of {@code channel} is
   * refused before it completes.
   */
  <R> ListenableFuture<R> endOnRefusal(String channel, ListenableFuture<R> call) {
    SettableFuture<R> out = SettableFuture.create();
    Set<SettableFuture<?>> set = waiting.computeIfAbsent(channel, k -> ConcurrentHashMap.newKeySet());
    set.add(out);
    Futures.addCallback(call, new FutureCallback<R>() {
      @Override
      public void onSuccess(R r) {
        out.set(r);
      }

      @Override
      public void onFailure(Throwable t) {
        out.setException(t);
      }
    }, MoreExecutors.directExecutor());
    out.addListener(() -> {
      set.remove(out);
      call.cancel(true);
    }, MoreExecutors.directExecutor());
    return out;
  }
}
