package io.groupsnap.it.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Command lines for child JVMs: this JVM's java binary and test class path (so children run exactly the code under
 * test, and the harness's own main classes such as {@link WorkloadNode}), tuned to start fast and stay small, with a
 * logback configuration that writes to stdout (the process's log file).
 */
final class ChildJvm {
  private ChildJvm() {}

  /**
   * @param logback the children's logback configuration file
   * @param jvmOptions extra options, e.g. system properties
   */
  static List<String> command(Path logback, List<String> jvmOptions, String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx256m",
        "-XX:+PerfDisableSharedMem", "-Djava.net.preferIPv4Stack=true",
        "-Dlogback.configurationFile=" + logback.toAbsolutePath()));
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(classPath());
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * The test class path. Surefire and failsafe may run tests from a manifest-only jar; then the real class path is in
   * {@code surefire.test.class.path} or in that jar's manifest.
   */
  static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp != null && !cp.isBlank()) {
      return cp;
    }
    cp = System.getProperty("java.class.path");
    String[] entries = cp.split(File.pathSeparator);
    if (entries.length == 1 && entries[0].endsWith(".jar")) {
      try (JarFile jar = new JarFile(entries[0])) {
        Manifest m = jar.getManifest();
        String inManifest = m == null ? null : m.getMainAttributes().getValue("Class-Path");
        if (inManifest != null) {
          List<String> paths = new ArrayList<>();
          for (String url : inManifest.trim().split("\\s+")) {
            paths.add(Path.of(java.net.URI.create(url)).toString());
          }
          return String.join(File.pathSeparator, paths);
        }
      } catch (IOException | IllegalArgumentException e) {
        return cp;
      }
    }
    return cp;
  }
}
