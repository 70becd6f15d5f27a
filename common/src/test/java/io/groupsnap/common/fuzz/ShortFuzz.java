package io.groupsnap.common.fuzz;

import com.code_intelligence.jazzer.agent.AgentInstaller;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.driver.FuzzedDataProviderImpl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The short fuzzing run of every build: Jazzer's regression mode only replays the stored inputs of a
 * {@code @FuzzTest}, so each fuzz test class also has a plain test that feeds its target a few thousand inputs made
 * here — the stored inputs (Jazzer's {@code <TestClass>Inputs/<method>/} resource directory) and extra seeds, mutated
 * by a {@link Random} with a fixed seed — within a time budget. The sequence of inputs is the same on every run; a
 * slower machine only sees a shorter prefix of it.
 *
 * <p>The short run comes first in its class ({@code @Order(1)}): it puts Jazzer's bootstrap jar in place without the
 * hooks that only guide real fuzzing, and the regression run of the stored inputs after it then starts faster. With
 * {@code JAZZER_FUZZ} set it is skipped, so that Jazzer sets itself up fully for the one fuzz test it fuzzes.
 *
 * <p>A failing input is reported with its bytes (base64) and the file name to store it under, so that it becomes a
 * regression input like a crash found by Jazzer itself. Nothing is ever written: a normal build leaves the work tree
 * as it was.
 */
public final class ShortFuzz {
  /** A fuzz target: the body of a {@code @FuzzTest} method. */
  @FunctionalInterface
  public interface Target {
    void run(FuzzedDataProvider data) throws Throwable;
  }

  /** What a short run did. */
  public record Report(int runs, int seeds, long millis) {}

  private final Class<?> testClass;
  private final String method;
  private final List<byte[]> seeds = new ArrayList<>();
  private long budgetMillis = 2000;
  private int maxRuns = 5000;
  private int maxLength = 4096;
  private long seed = 0x5EED_F022L;

  private ShortFuzz(Class<?> testClass, String method) {
    this.testClass = testClass;
    this.method = method;
    seeds.addAll(storedInputs(testClass, method));
  }

  /** A short run of {@code testClass}'s fuzz test {@code method}, seeded with its stored inputs. */
  public static ShortFuzz of(Class<?> testClass, String method) {
    return new ShortFuzz(testClass, method);
  }

  /** Adds seeds (e.g. sample files) to the stored inputs. */
  public ShortFuzz seeds(List<byte[]> more) {
    seeds.addAll(more);
    return this;
  }

  /** Mutants for at most this long (default 2 s) and up to this many runs in all (default 5,000). */
  public ShortFuzz budget(long millis, int runs) {
    this.budgetMillis = millis;
    this.maxRuns = runs;
    return this;
  }

  /** Inputs are cut to this many bytes (default 4,096). */
  public ShortFuzz maxLength(int bytes) {
    this.maxLength = bytes;
    return this;
  }

  /** Runs the target on every stored input, then on mutants until the budget is used up. */
  public Report run(Target target) {
    Assumptions.assumeTrue(!fuzzing(), "JAZZER_FUZZ is set: the fuzz tests fuzz for real, the short runs are skipped");
    // the provider over bytes lives in Jazzer's bootstrap jar; without its hooks: they only guide real fuzzing
    AgentInstaller.install(false);
    long start = System.nanoTime();
    Random random = new Random(seed);
    List<byte[]> pool = new ArrayList<>(seeds);
    if (pool.isEmpty()) {
      pool.add(new byte[0]);
    }
    int runs = 0;
    for (byte[] s : seeds) {
      once(target, s);
      runs++;
    }
    long deadline = System.nanoTime() + budgetMillis * 1_000_000L; // the budget is for the mutants
    while (runs < maxRuns && System.nanoTime() < deadline) {
      byte[] input = Mutations.mutate(pool.get(random.nextInt(pool.size())),
          pool.get(random.nextInt(pool.size())), random, maxLength);
      once(target, input);
      runs++;
      if (random.nextInt(8) == 0 && pool.size() < 512) {
        pool.add(input); // later mutants build on earlier ones, reaching deeper than one step from a seed
      }
    }
    Report report = new Report(runs, seeds.size(), (System.nanoTime() - start) / 1_000_000);
    System.out.println("short fuzz run of " + testClass.getSimpleName() + "." + method + ": " + report);
    return report;
  }

  private void once(Target target, byte[] input) {
    try (FuzzedDataProviderImpl data = FuzzedDataProviderImpl.withJavaData(input)) {
      target.run(data);
    } catch (Throwable t) {
      AssertionError e = new AssertionError("fuzz target " + testClass.getSimpleName() + "." + method + " failed on "
          + "an input of " + input.length + " bytes; keep it as the regression input src/test/resources/"
          + testClass.getPackageName().replace('.', '/') + "/" + testClass.getSimpleName() + "Inputs/" + method
          + "/crash-" + sha1(input) + " (base64: " + Base64.getEncoder().encodeToString(input) + "): " + t, t);
      throw e;
    }
  }

  /** Whether Jazzer fuzzes for real in this run (JAZZER_FUZZ set, as the fuzz profile does). */
  public static boolean fuzzing() {
    String v = System.getenv("JAZZER_FUZZ");
    return v != null && !v.isEmpty() && !v.equals("0") && !v.equalsIgnoreCase("false");
  }

  /** The files of Jazzer's inputs directory of {@code method}, in name order; none when it does not exist. */
  static List<byte[]> storedInputs(Class<?> testClass, String method) {
    URL dir = testClass.getResource(testClass.getSimpleName() + "Inputs/" + method);
    if (dir == null) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
      List<byte[]> out = new ArrayList<>();
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        out.add(Files.readAllBytes(f));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha1(byte[] input) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(input));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
