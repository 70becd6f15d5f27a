package io.groupsnap.cli.doctor;

import java.util.Objects;

/**
 * One line of {@code groupsnap doctor}'s report: which check, what it looked at, its verdict and the detail an operator
 * acts on (one line, naming the file, field or tool). Immutable.
 *
 * @param check the check's name ({@code config}, {@code volume}, {@code zookeeper}, ...)
 * @param subject what was checked (a volume's name, a file, a connect string)
 * @param verdict how it went
 * @param detail why, or the figure measured
 */
public record Finding(String check, String subject, Verdict verdict, String detail) {
  /** How one check went. Only {@link #FAIL} makes {@code doctor} exit non-zero. */
  public enum Verdict {
    OK, WARN, FAIL,
    /** Not checked, and why is in the detail: nothing to check, or no honest way to check it here. */
    SKIPPED
  }

  public Finding {
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(verdict, "verdict");
    detail = detail == null ? "" : detail.replace('\n', ' ').strip();
  }

  public static Finding ok(String check, String subject, String detail) {
    return new Finding(check, subject, Verdict.OK, detail);
  }

  public static Finding warn(String check, String subject, String detail) {
    return new Finding(check, subject, Verdict.WARN, detail);
  }

  public static Finding fail(String check, String subject, String detail) {
    return new Finding(check, subject, Verdict.FAIL, detail);
  }

  public static Finding skipped(String check, String subject, String detail) {
    return new Finding(check, subject, Verdict.SKIPPED, detail);
  }
}
