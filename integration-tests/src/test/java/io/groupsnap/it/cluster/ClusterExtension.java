package io.groupsnap.it.cluster;

import io.groupsnap.agent.volume.Captures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs multi-host clusters for a test: checks the privileges first ({@link Privileges}: skipped locally, failed in
 * CI), starts clusters in a work directory under {@code target/multihost/}, and after the test always tears every
 * cluster down. When the test failed it first prints every process's state and the last 40 lines of its log (and
 * attaches that report to the failure); the work directory is then kept, otherwise deleted.
 *
 * <p>Register it per test instance: {@code @RegisterExtension final ClusterExtension clusters = new
 * ClusterExtension();}
 */
public final class ClusterExtension implements BeforeEachCallback, AfterEachCallback {
  private static final int TAIL_LINES = 40;
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private final List<MultiHostCluster> clusters = new ArrayList<>();
  private String testName = "test";

  /** The cluster report attached to a failed test. */
  static final class ClusterReport extends RuntimeException {
    ClusterReport(String report) {
      super("cluster state at failure:\n" + report, null, false, false);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Privileges.requireNetworkNamespaces();
    testName = context.getRequiredTestClass().getSimpleName() + "-"
        + context.getRequiredTestMethod().getName();
  }

  /** Builds a cluster in a fresh work directory, registers it for teardown, and starts it. */
  public MultiHostCluster start(MultiHostCluster.Builder builder) throws Exception {
    Path base = Path.of(System.getProperty("basedir", "."), "target", "multihost");
    MultiHostCluster c = builder.workDir(base.resolve(testName + "-" + ProcessHandle.current().pid() + "-"
        + SEQUENCE.incrementAndGet())).build();
    clusters.add(c);
    return c.start();
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Optional<Throwable> failure = context.getExecutionException();
    List<String> problems = new ArrayList<>();
    for (MultiHostCluster c : clusters) {
      if (failure.isPresent()) {
        String report = c.report(TAIL_LINES);
        System.err.println(report);
        failure.get().addSuppressed(new ClusterReport(report));
      }
      try {
        c.close();
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
      if (failure.isEmpty() && problems.isEmpty()) {
        Captures.deleteTree(c.workDir());
      } else {
        System.err.println("multi-host cluster files kept in " + c.workDir());
      }
    }
    clusters.clear();
    if (!problems.isEmpty()) {
      throw new AssertionError("multi-host teardown failed: " + String.join("; ", problems));
    }
  }
}
