package io.groupsnap.it.cluster;

import io.groupsnap.agent.volume.Captures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
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
 * ClusterExtension();} — or, for a class whose tests can run one after another on one cluster, on a static field and
 * take the cluster with {@link #shared}: started by the first test, put back to its started state after each one
 * ({@link MultiHostCluster#resetForNextTest}), closed after the last. A failed test closes it (with the report and
 * its files kept), so the next test starts a fresh one; a cluster that cannot be put back fails the test that left it.
 */
public final class ClusterExtension implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {
  private static final Duration RESET_WITHIN = Duration.ofSeconds(90);
  private static final int TAIL_LINES = 40;
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private final List<MultiHostCluster> clusters = new ArrayList<>();
  private String testName = "test";
  private MultiHostCluster shared;
  private boolean sharedFailed;

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

  /**
   * The cluster the tests of this class share (the extension must be registered on a static field): the one the
   * previous test left, put back to its started state, or a new one built from {@code builder} — every test of the
   * class must ask with the same configuration.
   */
  public MultiHostCluster shared(MultiHostCluster.Builder builder) throws Exception {
    if (shared == null) {
      Path base = Path.of(System.getProperty("basedir", "."), "target", "multihost");
      shared = builder.workDir(base.resolve(testName + "-shared-" + ProcessHandle.current().pid() + "-"
          + SEQUENCE.incrementAndGet())).build();
      shared.start();
    }
    return shared;
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
    if (shared != null) {
      if (failure.isPresent()) {
        String report = shared.report(TAIL_LINES);
        System.err.println(report);
        failure.get().addSuppressed(new ClusterReport(report));
        sharedFailed = true;
        closeShared(problems);
      } else {
        long t0 = System.nanoTime();
        try {
          shared.resetForNextTest(RESET_WITHIN);
          System.out.printf("shared cluster put back for the next test in %dms%n",
              (System.nanoTime() - t0) / 1_000_000);
        } catch (Exception e) {
          System.err.println(shared.report(TAIL_LINES));
          sharedFailed = true;
          problems.add("the shared cluster could not be put back after " + testName + ": " + e.getMessage());
          closeShared(problems);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new AssertionError("multi-host teardown failed: " + String.join("; ", problems));
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    List<String> problems = new ArrayList<>();
    closeShared(problems);
    if (!problems.isEmpty()) {
      throw new AssertionError("multi-host teardown failed: " + String.join("; ", problems));
    }
  }

  private void closeShared(List<String> problems) throws java.io.IOException {
    if (shared == null) {
      return;
    }
    MultiHostCluster c = shared;
    shared = null;
    try {
      c.close();
    } catch (RuntimeException e) {
      problems.add(e.getMessage());
      sharedFailed = true;
    }
    if (!sharedFailed && problems.isEmpty()) {
      Captures.deleteTree(c.workDir());
    } else {
      System.err.println("multi-host cluster files kept in " + c.workDir());
    }
    sharedFailed = false;
  }
}
