package io.groupsnap.agent.export;

import io.groupsnap.agent.snapshot.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The export tools (restic, an exec target's command) this agent has running, written down in a file of the state
 * directory while they run, so that an agent killed with {@code kill -9} does not leave them behind: the next agent
 * process stops them ({@link #stopLeftovers}) before it resumes their exports from the journal. Otherwise a
 * predecessor's restic would go on writing to the repository, hold its lock against the resumed export and a forget,
 * and race the resumed export for the same snapshot.
 *
 * <p>Each line is a process id and its start time: a process is stopped only when both match, so a pid the kernel
 * has since given to another program is never signalled.
 */
public final class ToolLedger {
  private static final Logger log = LoggerFactory.getLogger(ToolLedger.class);

  /** A ledger that writes nothing (tests, tools run outside an agent). */
  public static final ToolLedger NONE = new ToolLedger(null);

  private final Path file;
  private final Map<Long, Long> running = new LinkedHashMap<>();

  /** @param file where the running tools are written down; null: nowhere */
  public ToolLedger(Path file) {
    this.file = file;
  }

  /** Writes down a tool just started. A failure to write is logged: the export goes on. */
  synchronized void started(ProcessHandle p) {
    if (file == null) {
      return;
    }
    p.info().startInstant().ifPresent(start -> {
      running.put(p.pid(), start.toEpochMilli());
      save();
    });
  }

  /** Strikes out a tool that ended. */
  synchronized void ended(ProcessHandle p) {
    if (file != null && running.remove(p.pid()) != null) {
      save();
    }
  }

  /**
   * Stops every tool a previous agent process wrote down and that still runs (same pid, same start time), with
   * their children: SIGTERM first (restic then removes its lock), SIGKILL after {@code grace}. Empties the ledger.
   *
   * @return what was stopped, one "pid command" per process, for the log
   */
  public synchronized List<String> stopLeftovers(Duration grace) throws IOException {
    if (file == null) {
      return List.of();
    }
    List<String> stopped = new ArrayList<>();
    for (Map.Entry<Long, Long> e : read().entrySet()) {
      Optional<ProcessHandle> p = ProcessHandle.of(e.getKey())
          .filter(h -> h.info().startInstant().map(i -> i.toEpochMilli() == e.getValue()).orElse(false));
      if (p.isEmpty() || p.get().pid() == ProcessHandle.current().pid()) {
        continue;
      }
      ProcessHandle h = p.get();
      String what = h.pid() + " " + h.info().command().orElse("?");
      List<ProcessHandle> all = new ArrayList<>(h.descendants().toList());
      all.add(h);
      all.forEach(ProcessHandle::destroy);
      CompletableFuture<?> gone = CompletableFuture.allOf(all.stream().map(ProcessHandle::onExit)
          .toArray(CompletableFuture[]::new));
      try {
        gone.get(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception timedOutOrInterrupted) {
        all.forEach(ProcessHandle::destroyForcibly);
        if (timedOutOrInterrupted instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
      }
      stopped.add(what);
    }
    running.clear();
    save();
    if (!stopped.isEmpty()) {
      log.warn("stopped {} export tool(s) a previous agent process left running: {}", stopped.size(), stopped);
    }
    return stopped;
  }

  private Map<Long, Long> read() throws IOException {
    Map<Long, Long> out = new LinkedHashMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return out;
    }
    for (String line : lines) {
      String[] f = line.strip().split(" ");
      if (f.length != 2) {
        continue;
      }
      try {
        out.put(Long.parseLong(f[0]), Long.parseLong(f[1]));
      } catch (NumberFormatException damaged) {
        log.warn("{}: ignoring a damaged line: {}", file, line);
      }
    }
    return out;
  }

  private void save() {
    StringBuilder b = new StringBuilder();
    running.forEach((pid, start) -> b.append(pid).append(' ').append(start).append('\n'));
    try {
      Files.createDirectories(file.getParent());
      AtomicFiles.write(file, b.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      log.warn("cannot write {}: {} (a tool left by a killed agent would not be stopped at its restart)", file,
          e.getMessage());
    }
  }
}
