package io.groupsnap.it.cluster;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;

/**
 * The workload JVM of a harness host: serves the exec writer's hook on {@code 127.0.0.1:controlPort} (one command line
 * per connection) and runs one {@link WorkloadNode} at a time, so that the application survives an in-place restore
 * as a real one would be restarted by its pre-/post-restore hooks:
 *
 * <ul>
 *   <li>{@code pre-restore RESTORE} stops the node (holds released, every thread and the peer server stopped, nothing
 *       written to the volume once answered) — the volume may then be switched under it;
 *   <li>{@code post-restore RESTORE true|false} starts a new node, which reads its state from the volume as it is
 *       now (the restored cut, or the previous data when the restore was cancelled or rolled back);
 *   <li>every other command goes to the running node ({@link WorkloadNode#control}); without one, {@code busy}.
 * </ul>
 *
 * <p>Arguments as {@link WorkloadNode.Options}.
 */
public final class WorkloadProcess {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private final WorkloadNode.Options options;
  private final CountDownLatch done = new CountDownLatch(1);
  private WorkloadNode node;   // guarded by this
  private String stoppedBy;    // the restore that stopped the node, guarded by this

  private WorkloadProcess(WorkloadNode.Options options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    WorkloadProcess p = new WorkloadProcess(WorkloadNode.Options.parse(args));
    WorkloadNode first = p.startNode();
    LineServer control = LineServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        p.options.controlPort()), p::command, "control-server");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      control.close();
      p.stopNode();
      p.done.countDown();
    }, "workload-shutdown"));
    System.out.println("READY workload " + WorkloadNode.name(p.options.index()) + " on "
        + p.options.hosts().get(p.options.index()) + ":" + p.options.peerPort() + ", control 127.0.0.1:"
        + p.options.controlPort() + ", " + first.recoveredDebits() + " debit(s) recovered");
    p.done.await();
  }

  private String command(String line) throws Exception {
    long t0 = System.nanoTime();
    String answer = answer(line.split(" "));
    System.out.printf(Locale.ROOT, "control '%s' -> '%s' in %dms%n", line.length() > 200 ? "(long line)" : line,
        answer, (System.nanoTime() - t0) / 1_000_000);
    return answer;
  }

  private synchronized String answer(String[] f) throws Exception {
    if (f.length == 2 && f[0].equals("pre-restore") && ID.matcher(f[1]).matches()) {
      if (node != null) {
        stopNode();
        stoppedBy = f[1];
      }
      return "ok";
    }
    if (f.length == 3 && f[0].equals("post-restore") && ID.matcher(f[1]).matches()
        && (f[2].equals("true") || f[2].equals("false"))) {
      if (node == null) {
        WorkloadNode started = startNode();
        System.out.println("workload started again after restore " + f[1] + " (restored=" + f[2] + ", stopped by "
            + stoppedBy + "): " + started.recoveredDebits() + " debit(s) recovered");
        stoppedBy = null;
      }
      return "ok";
    }
    if (node == null) {
      return "busy stopped for restore " + stoppedBy;
    }
    return node.control(f);
  }

  private synchronized WorkloadNode startNode() throws Exception {
    WorkloadNode n = new WorkloadNode(options);
    n.start();
    node = n;
    return n;
  }

  private synchronized void stopNode() {
    if (node != null) {
      node.close();
      node = null;
    }
  }
}
