package io.groupsnap.devkit.bench;

import io.groupsnap.agent.txn.HoldListener;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bench's marks on the freeze window, on the agents' own hold path: the first hold to start and the last to end
 * (after its undo steps, i.e. once that member has thawed) among the members of one cluster, in {@link System#nanoTime}.
 * The same marks time the uncoordinated floor and the coordinated window, so the two are measured alike and to the
 * microsecond (the coordinator's record keeps whole milliseconds). Lock-free, as {@link HoldListener} requires.
 */
final class WindowMarks implements HoldListener {
  private final AtomicLong first = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong last = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong frozen = new AtomicLong(-1);

  /** Forgets the marks of the previous sample; call when no member holds anything. */
  void reset() {
    first.set(Long.MAX_VALUE);
    last.set(Long.MIN_VALUE);
    frozen.set(-1);
  }

  @Override
  public void started() {
    long now = System.nanoTime();
    first.accumulateAndGet(now, Math::min);
  }

  @Override
  public void ended(Ended how) {
    long now = System.nanoTime();
    last.accumulateAndGet(now, Math::max);
    frozen.accumulateAndGet(how.timeToFrozenNanos(), Math::max);
  }

  /** The longest time to frozen among the holds since {@link #reset}; -1 when none was frozen. */
  long frozenNanos() {
    return frozen.get();
  }

  /**
   * From the first hold's start to the last hold's end since {@link #reset}.
   *
   * @throws IllegalStateException when no hold both started and ended
   */
  long windowNanos() {
    long f = first.get();
    long l = last.get();
    if (f == Long.MAX_VALUE || l == Long.MIN_VALUE || l < f) {
      throw new IllegalStateException("no complete hold was marked");
    }
    return l - f;
  }
}
