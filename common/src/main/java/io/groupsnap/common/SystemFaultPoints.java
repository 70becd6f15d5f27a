package io.groupsnap.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@link FaultPoints} armed from outside a process: {@code -Dgroupsnap.failpoints=NAME=ACTION[,NAME=ACTION]} with
 * ACTION {@code halt} (the process dies at once, like kill -9), {@code halt-after:MILLIS} (dies that much later,
 * without blocking the caller: lets requests just sent leave the process), {@code delay:MILLIS}, {@code once-halt}
 * (halt the first time only), or {@code fail} (the caller gets a {@link FaultPoints.InjectedFault}, as if the work at
 * that point had failed). With {@code -Dgroupsnap.failpoints.file=PATH} the points are re-read from the first
 * line of PATH (same syntax) whenever it changes, so a test harness arms a point in a running process; a missing file
 * arms nothing. Unarmed, {@link #hit} is one map lookup on an empty map (plus a file stamp check with a file).
 *
 * <p>Thread-safe. Only daemons build one ({@link #fromSystemProperties}); in-process tests may build one of their own
 * and {@link #set} points on it.
 */
public final class SystemFaultPoints implements FaultPoints {
  /** The system property holding the points. */
  public static final String PROPERTY = "groupsnap.failpoints";
  /** The system property naming the file the points are re-read from. */
  public static final String FILE_PROPERTY = "groupsnap.failpoints.file";

  private final Map<String, String> points;
  private final Path file;
  private long fileStamp = -1;

  private SystemFaultPoints(String spec, Path file) {
    this.points = new ConcurrentHashMap<>(parse(spec));
    this.file = file;
  }

  /** The points the JVM's system properties arm ({@value #PROPERTY}, {@value #FILE_PROPERTY}). */
  public static SystemFaultPoints fromSystemProperties() {
    String file = System.getProperty(FILE_PROPERTY);
    return new SystemFaultPoints(System.getProperty(PROPERTY, ""), file == null ? null : Path.of(file));
  }

  /**
   * Points armed by {@code spec} (the property's syntax) and, when {@code file} is not null, re-read from it.
   */
  public static SystemFaultPoints of(String spec, Path file) {
    return new SystemFaultPoints(spec, file);
  }

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

  /** Arms {@code point} with {@code action} at run time; null disarms it. */
  public void set(String point, String action) {
    if (action == null) {
      points.remove(point);
    } else {
      points.put(point, action);
    }
  }

  /** The action armed at {@code point} now (the file re-read first, if it changed). */
  public Optional<String> armed(String point) {
    if (file != null) {
      reload();
    }
    return points.isEmpty() ? Optional.empty() : Optional.ofNullable(points.get(point));
  }

  @Override
  public void hit(String point) {
    Optional<String> armed = armed(point);
    if (armed.isEmpty()) {
      return;
    }
    String action = armed.get();
    if (action.equals("halt")) {
      halt(point);
    } else if (action.equals("once-halt")) {
      points.remove(point);
      halt(point);
    } else if (action.startsWith("halt-after:")) {
      long ms = millis(action.substring(11));
      Thread t = new Thread(() -> {
        try {
          TimeUnit.MILLISECONDS.sleep(ms); // the armed delay itself, not waiting for a condition
        } catch (InterruptedException ignored) {
          // halt anyway
        }
        halt(point);
      }, "failpoint-halt");
      t.setDaemon(true);
      t.start();
    } else if (action.equals("fail")) {
      throw new InjectedFault(point);
    } else if (action.startsWith("delay:")) {
      try {
        TimeUnit.MILLISECONDS.sleep(millis(action.substring(6))); // the armed delay itself
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private synchronized void reload() {
    try {
      long stamp = Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() + Files.size(file) : 0;
      if (stamp != fileStamp) {
        fileStamp = stamp;
        points.clear();
        if (stamp != 0) {
          String first = Files.readString(file).lines().findFirst().orElse("");
          points.putAll(parse(first.trim()));
        }
      }
    } catch (IOException e) {
      // keep the points as they were
    }
  }

  private static void halt(String point) {
    System.err.println("failpoint " + point + ": halting");
    Runtime.getRuntime().halt(137);
  }

  private static long millis(String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
