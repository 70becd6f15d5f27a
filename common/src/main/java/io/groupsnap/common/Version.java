package io.groupsnap.common;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * groupsnap's version: the Maven project version, which the build filters into {@code groupsnap-version.properties}
 * (the only place it is written down), so the CLI's {@code --version}, {@code groupsnap version} and what a
 * coordinator reports all agree. Read once, when the class loads; thread-safe.
 */
public final class Version {
  /** What {@link #current} says when the resource is missing or was not filtered (a build that skipped it). */
  public static final String UNKNOWN = "unknown";
  static final String RESOURCE = "/groupsnap-version.properties";
  private static final Pattern MAJOR_MINOR = Pattern.compile("(\\d+)\\.(\\d+)(?:[.+~-].*)?");
  private static final String CURRENT = load();

  private Version() {}

  /** This build's version, e.g. {@code 0.1.0} or {@code 0.1.0-SNAPSHOT}; {@link #UNKNOWN} if it was not recorded. */
  public static String current() {
    return CURRENT;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return UNKNOWN;
      }
      Properties p = new Properties();
      p.load(in);
      return parse(p);
    } catch (IOException | IllegalArgumentException e) {
      return UNKNOWN;
    }
  }

  /** The {@code version} property; {@link #UNKNOWN} when it is missing, blank or still a placeholder. */
  static String parse(Properties p) {
    String v = p.getProperty("version", "").strip();
    return v.isEmpty() || v.contains("${") ? UNKNOWN : v;
  }

  /** {@code major.minor} of a version such as {@code 0.1.0-SNAPSHOT}; empty when it has no such form. */
  public static Optional<String> majorMinor(String version) {
    if (version == null) {
      return Optional.empty();
    }
    Matcher m = MAJOR_MINOR.matcher(version.strip());
    return m.matches() ? Optional.of(Integer.parseInt(m.group(1)) + "." + Integer.parseInt(m.group(2)))
        : Optional.empty();
  }

  /**
   * True when both versions have a {@code major.minor} and those differ (a patch or a pre-release suffix is no
   * mismatch); false when either cannot be read, since then nothing is known either way.
   */
  public static boolean mismatch(String a, String b) {
    Optional<String> x = majorMinor(a);
    Optional<String> y = majorMinor(b);
    return x.isPresent() && y.isPresent() && !x.get().equals(y.get());
  }
}
