package io.groupsnap.agent.volume.testing;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
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
 * test when {@value LoopFs#CI_VARIABLE} is set, skipping it otherwise — and closes every file system made through
 * {@link #create} after the test, newest first, even when the test failed: thawed, unmounted, loop device detached,
 * image deleted. File systems made in {@code @BeforeAll} are closed after all tests. Cleanup failures fail the test.
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
    LoopFs.require(types);
  }

  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    LoopFs.require(types);
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
