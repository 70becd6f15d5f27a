package io.groupsnap.devkit.workload;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How a workload holds its writes to one volume: every update runs between {@link #enter()} and {@link #exit()};
 * {@link #close} waits until the update in progress has finished and keeps new ones out until {@link #open()}.
 * Thread-safe.
 */
public final class Gate {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private boolean closed;
  private int active;

  /** Blocks while the gate is closed, then admits one update. */
  public void enter() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (closed) {
        changed.await();
      }
      active++;
    } finally {
      lock.unlock();
    }
  }

  public void exit() {
    lock.lock();
    try {
      active--;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Closes the gate and waits for the update in progress; false (and the gate reopened) if it takes too long. */
  public boolean close(Duration wait) throws InterruptedException {
    long left = wait.toNanos();
    lock.lock();
    try {
      closed = true;
      while (active > 0) {
        if (left <= 0) {
          closed = false;
          changed.signalAll();
          return false;
        }
        left = changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  public void open() {
    lock.lock();
    try {
      closed = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  public boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  static void pauseMicros(long micros) {
    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(micros));
  }
}
