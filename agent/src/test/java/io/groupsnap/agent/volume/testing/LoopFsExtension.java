package io.groupsnap.agent.volume.testing;

import io.groupsnap.agent.testing.HostRequirement;
import io.groupsnap.agent.volume.loopfs.LoopFs;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension for tests on real file systems on loop devices. Registered as a field,
 * <pre>{@code
 *   @RegisterExtension final LoopFsExtension loop = new LoopFsExtension(LoopFs.Type.EXT4, LoopFs.Type.XFS);
 *   ...
 *   LoopFs ext4 = loop.create(LoopFs.Type.EXT4, 64 << 20);
 * }</pre>
 * it checks before each test (and before all, when static) that the host can make the listed types — failing the
 * test when {@value HostRequirement#CI_VARIABLE} is set, skipping it otherwise — and closes every file system made
 * through {@link #create} after the test, newest first, even when the test failed: thawed, unmounted, loop device
 * detached, image deleted. File systems made in {@code @BeforeAll} are closed after all tests. Cleanup failures fail
 * the test. {@link LoopFs} itself is main code (the bench makes file systems too); the skip-or-fail rule is here.
 */
public final class LoopFsExtension
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
  private final LoopFs.Type[] types;
  private final Deque<LoopFs> perTest = new ArrayDeque<>();
  private final Deque<LoopFs> perClass = new ArrayDeque<>();
  private boolean inTest;

  /** @param types the file system types the tests need (their mkfs tools are required) */
  public LoopFsExtension(LoopFs.Type... types) {
    this.types = types.clone();
  }

  /** Makes a file system that this extension closes after the current test (or after all, from {@code @BeforeAll}). */
  public synchronized LoopFs create(LoopFs.Type type, long sizeBytes) throws IOException {
    LoopFs fs = LoopFs.create(type, sizeBytes);
    (inTest ? perTest : perClass).push(fs);
    return fs;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    require(types);
  }

  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    require(types);
    inTest = true;
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    synchronized (this) {
      inTest = false;
    }
    closeAll(perTest);
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    closeAll(perClass);
  }

  /**
   * Returns when this host can make file systems of these types on loop devices; otherwise fails the test when
   * {@value HostRequirement#CI_VARIABLE} is set (CI must never skip silently) and skips it when not.
   */
  public static void require(LoopFs.Type... types) {
    require(LoopFs.missing(types), System.getenv(HostRequirement.CI_VARIABLE) != null, types);
  }

  /** Fails ({@code ci}) or skips the test when something is {@code missing}. */
  static void require(Optional<String> missing, boolean ci, LoopFs.Type... types) {
    if (missing.isEmpty()) {
      return;
    }
    String what = Arrays.stream(types).map(LoopFs.Type::fsType).reduce((a, b) -> a + ", " + b)
        .orElse("file systems");
    HostRequirement.unmet("this test needs " + what + " on loop devices: " + missing.get(), ci);
  }

  private void closeAll(Deque<LoopFs> made) throws IOException {
    List<LoopFs> toClose;
    synchronized (this) {
      toClose = new ArrayList<>(made);
      made.clear();
    }
    IOException failure = null;
    for (LoopFs fs : toClose) {
      try {
        fs.close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
