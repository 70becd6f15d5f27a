package io.groupsnap.coordinator.runs;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * The cluster-wide bound on exports: at most {@code capacity} agents export at once, whatever run they export for.
 * Requests wait in arrival order (a resumed export goes first: it was running). Confined to the driver's lane.
 */
final class ExportSlots {
  private record Waiter(String key, Runnable granted) {}

  private final int capacity;
  private final Set<String> held = new HashSet<>();
  private final Deque<Waiter> waiting = new ArrayDeque<>();

  ExportSlots(int capacity) {
    this.capacity = capacity;
  }

  /** Runs {@code granted} once a slot is free for {@code key} (at once when one is, or when {@code key} holds one). */
  void request(String key, boolean first, Runnable granted) {
    if (held.contains(key)) {
      granted.run();
      return;
    }
    if (held.size() < capacity && waiting.isEmpty()) {
      held.add(key);
      granted.run();
      return;
    }
    if (first) {
      waiting.addFirst(new Waiter(key, granted));
    } else {
      waiting.addLast(new Waiter(key, granted));
    }
    grant();
  }

  /** Frees {@code key}'s slot (or its place in the queue) and grants the next waiter. */
  void release(String key) {
    held.remove(key);
    waiting.removeIf(w -> w.key().equals(key));
    grant();
  }

  /** Frees every slot and place of keys starting with {@code prefix} (a run that stopped). */
  void releaseAll(String prefix) {
    held.removeIf(k -> k.startsWith(prefix));
    waiting.removeIf(w -> w.key().startsWith(prefix));
    grant();
  }

  int inUse() {
    return held.size();
  }

  private void grant() {
    while (held.size() < capacity && !waiting.isEmpty()) {
      Waiter w = waiting.pollFirst();
      held.add(w.key());
      w.granted().run();
    }
  }
}
