package io.groupsnap.devkit.bench.scale;

import io.groupsnap.devkit.DevkitException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator side's handle on the {@link AgentHost} JVM: starts it with this JVM's class path (its log in
 * {@code agents.log} of the data directory), sends it one command at a time and returns its answer. Not thread-safe.
 */
final class AgentHostProcess implements AutoCloseable {
  /** Extra JVM options for the agents' JVM, space-separated (e.g. to record it with JFR). */
  static final String EXTRA_OPTS = "GROUPSNAP_SCALE_AGENT_JAVA_OPTS";
  private final Process process;
  private final BufferedReader in;
  private final PrintWriter out;
  private final String zookeeper;
  private final Path log;

  private AgentHostProcess(Process process, Path log) throws IOException, DevkitException {
    this.process = process;
    this.log = log;
    this.in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.out = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
    String first = in.readLine();
    while (first != null && !first.startsWith("zk ")) { // the JVM's own notices (e.g. JFR's) come first
      first = in.readLine();
    }
    if (first == null || !first.startsWith("zk ")) {
      throw new DevkitException(DevkitException.Kind.FAILED, "the agent host did not start (see " + log + ")");
    }
    this.zookeeper = first.substring(3);
  }

  /** Starts the agent host JVM with {@code heap} (e.g. {@code 1g}) over the data directory {@code dir}. */
  static AgentHostProcess start(Path dir, String heap) throws IOException, DevkitException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.add("-Xss512k");
    String extra = System.getenv(EXTRA_OPTS);
    if (extra != null && !extra.isBlank()) {
      cmd.addAll(List.of(extra.trim().split("\\s+")));
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(AgentHost.class.getName());
    cmd.add(dir.toString());
    Path log = dir.resolve("agents.log");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    try {
      return new AgentHostProcess(p, log);
    } catch (IOException | DevkitException | RuntimeException e) {
      p.destroyForcibly();
      throw e;
    }
  }

  String zookeeper() {
    return zookeeper;
  }

  /** Sends one command; returns what follows {@code ok }. */
  String ask(String command) throws IOException, DevkitException {
    out.println(command);
    String answer = in.readLine();
    if (answer == null) {
      throw new DevkitException(DevkitException.Kind.FAILED, "the agent host ended during '" + command + "' (see "
          + log + ")");
    }
    if (!answer.startsWith("ok")) {
      throw new DevkitException(DevkitException.Kind.FAILED, "agent host: '" + command + "': " + answer);
    }
    return answer.length() > 3 ? answer.substring(3) : "";
  }

  @Override
  public void close() throws InterruptedException {
    try {
      out.println("quit");
    } finally {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
