package io.groupsnap.common;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Named points where tests inject faults into real processes: {@code -Dgroupsnap.failpoints=NAME=ACTION[,NAME=ACTION]}
 * with ACTION {@code halt} (the process dies at once, like kill -9), {@code halt-after:MILLIS} (dies that much later,
 * without blocking the caller: lets requests just sent leave the process), {@code delay:MILLIS}, or {@code once-halt}
 * (halt the first time only). Unconfigured (production), {@link #hit} is one map lookup on an empty map.
 *
 * <p>With {@code -Dgroupsnap.failpoints.file=PATH} the points are re-read from PATH whenever it changes (tests arm
 * a point in a running process). Points: {@code coordinator.after-freeze-sent}, {@code coordinator.after-all-frozen} (before THAW is sent),
 * {@code coordinator.after-thaw-sent}, {@code coordinator.before-commit-write}, {@code coordinator.after-commit-write},
 * {@code agent.freeze} (as FREEZE starts), {@code agent.after-frozen} (before the FROZEN answer).
 */
public final class FailPoints {
  private static final Map<String, String> POINTS = new ConcurrentHashMap<>(parse(
      System.getProperty("groupsnap.failpoints", "")));
  /** Test harnesses arm points in a running process by writing this file (one spec, as the property). */
  private static final String FILE = System.getProperty("groupsnap.failpoints.file");
  private static long fileStamp = -1;

  private FailPoints() {}

  static Map<String, String> parse(String spec) {
    Map<String, String> out = new ConcurrentHashMap<>();
    for (String part : spec.split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        out.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
      }
    }
    return out;
  }

  private static synchronized void reload() {
    try {
      java.nio.file.Path f = java.nio.file.Path.of(FILE);
      long stamp = java.nio.file.Files.exists(f) ? java.nio.file.Files.getLastModifiedTime(f).toMillis()
          + java.nio.file.Files.size(f) : 0;
      if (stamp != fileStamp) {
        fileStamp = stamp;
        POINTS.clear();
        if (stamp != 0) {
          String first = java.nio.file.Files.readString(f).lines().findFirst().orElse("");
          POINTS.putAll(parse(first.trim()));
        }
      }
    } catch (java.io.IOException e) {
      // keep the points as they were
    }
  }

  private static long millis(String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Sets a point at run time (in-process tests); null clears it. */
  public static void set(String name, String action) {
    if (action == null) {
      POINTS.remove(name);
    } else {
      POINTS.put(name, action);
    }
  }

  /** Carries out the action configured for {@code name}, if any. */
  public static void hit(String name) {
    if (FILE != null) {
      reload();
    }
    if (POINTS.isEmpty()) {
      return;
    }
    String action = POINTS.get(name);
    if (action == null) {
      return;
    }
    if (action.equals("halt")) {
      System.err.println("failpoint " + name + ": halting");
      Runtime.getRuntime().halt(137);
    } else if (action.equals("once-halt")) {
      POINTS.remove(name);
      System.err.println("failpoint " + name + ": halting");
      Runtime.getRuntime().halt(137);
    } else if (action.startsWith("halt-after:")) {
      long ms = millis(action.substring(11));
      Thread t = new Thread(() -> {
        try {
          TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException ignored) {
          // halt anyway
        }
        System.err.println("failpoint " + name + ": halting");
        Runtime.getRuntime().halt(137);
      }, "failpoint-halt");
      t.setDaemon(true);
      t.start();
    } else if (action.startsWith("delay:")) {
      try {
        TimeUnit.MILLISECONDS.sleep(millis(action.substring(6)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
