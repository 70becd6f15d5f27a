package io.groupsnap.agent.volume.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.groupsnap.agent.volume.ArgvTemplate;
import io.groupsnap.common.fuzz.FuzzChecks;
import io.groupsnap.common.fuzz.Hostile;
import io.groupsnap.common.fuzz.ShortFuzz;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fuzzes the argument templates of operators' commands: {@link ArgvTemplate} (exec volumes) and the fsfreeze
 * {@code command} (whole-argument placeholders). For any template the checks accept and any values — names and paths
 * with spaces, quotes, ';', '$(...)', braces, line breaks, placeholders of their own — the expanded vector has exactly
 * the template's length (a value never splits into several arguments or adds one), its executable is the template's
 * absolute executable, untouched (no shell is ever put in front), a value lands only where its placeholder stood and
 * is never scanned again, and an argument without placeholders is passed as written. A refused template fails with
 * IllegalArgumentException and a bounded one-line message.
 *
 * <p>The exec writer's commands have no placeholders (a transaction reaches them through the environment), so they
 * are passed as written by construction.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArgvTemplateFuzzTest {
  static final List<String> ARGS = List.of("/usr/local/bin/snap", "create", "{volume}", "{snapshot}", "{path}",
      "{target}", "--out={target}", "{path}/{volume}.img", "{{", "}}", "{{volume}}", "{unknown}", "{", "}", "--",
      "{volume}{snapshot}", "a b", "$(id)", "'");
  static final List<String> VALUES = List.of("data", "gs-1", "/srv/data", "/var/lib/groupsnap/snapshots/gs-1/data",
      "{volume}", "{target}", "a b", "x;rm -rf /", "$(reboot)", "\"q\"", "--force", "", "line\nbreak", "}}{{");
  private static final Method CAPTURE_PARSE;
  private static final Method CAPTURE_EXPAND;

  static {
    try {
      Class<?> c = Class.forName("io.groupsnap.agent.volume.fsfreeze.CaptureCommand");
      CAPTURE_PARSE = c.getDeclaredMethod("of", List.class);
      CAPTURE_EXPAND = c.getDeclaredMethod("expand", Map.class);
      CAPTURE_PARSE.setAccessible(true); // package-private: the fsfreeze kind's own, reached as its kind reaches it
      CAPTURE_EXPAND.setAccessible(true);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @FuzzTest(maxDuration = "5m")
  void templates(FuzzedDataProvider data) throws Exception {
    List<String> argv = new ArrayList<>();
    argv.add(data.consumeInt(0, 7) > 0 ? "/usr/local/bin/snap" : Hostile.hostile(data));
    argv.addAll(Hostile.strings(data, ARGS, 6));
    Map<String, String> values = new LinkedHashMap<>();
    for (String p : new TreeSet<>(ArgvTemplate.ALL)) {
      values.put(p, Hostile.string(data, VALUES));
    }
    switch (data.consumeInt(0, 2)) {
      case 0 -> argvTemplate(argv, values, data.consumeBoolean() ? ArgvTemplate.ALL : Set.of("volume", "path"));
      case 1 -> captureCommand(argv, values);
      default -> parseList(data.consumeRemainingAsString());
    }
  }

  @Test
  @Order(1)
  void shortRun() {
    ShortFuzz.Report r = ShortFuzz.of(ArgvTemplateFuzzTest.class, "templates").budget(1500, 20_000)
        .maxLength(512).run(this::templates);
    assertThat(r.runs()).isGreaterThan(r.seeds());
  }

  private static void argvTemplate(List<String> argv, Map<String, String> values, Set<String> available) {
    ArgvTemplate t;
    try {
      t = ArgvTemplate.of(argv, available);
    } catch (IllegalArgumentException e) {
      FuzzChecks.oneLine("message", e.getMessage(), 600);
      return;
    }
    Map<String, String> given = new LinkedHashMap<>(values);
    given.keySet().retainAll(available);
    List<String> out = t.expand(given);
    assertThat(out).as("%s with %s", argv, given).hasSameSizeAs(argv);
    assertThat(out.get(0)).isEqualTo(argv.get(0));
    assertThat(Path.of(out.get(0)).isAbsolute()).isTrue();
    assertThat(t.command()).isEqualTo(Path.of(argv.get(0)));
    // one pass: expanding with markers that cannot occur in a template (NUL), then putting the values in place of
    // the markers, is the same as expanding with the values: no value was read as a placeholder or a brace
    Map<String, String> markers = new LinkedHashMap<>();
    given.keySet().forEach(p -> markers.put(p, "\0" + p + "\0"));
    List<String> marked = t.expand(markers);
    for (int i = 1; i < argv.size(); i++) {
      String[] parts = marked.get(i).split("\0", -1); // literal, placeholder, literal, ...
      StringBuilder expected = new StringBuilder();
      for (int k = 0; k < parts.length; k++) {
        expected.append(k % 2 == 0 ? parts[k] : given.get(parts[k]));
      }
      assertThat(out.get(i)).as("argument %d of %s with %s", i, argv, given).isEqualTo(expected.toString());
      if (!argv.get(i).contains("{") && !argv.get(i).contains("}")) {
        assertThat(out.get(i)).as("an argument without braces is passed as written").isEqualTo(argv.get(i));
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void captureCommand(List<String> argv, Map<String, String> values) throws Exception {
    try {
      CAPTURE_PARSE.invoke(null, argv);
    } catch (InvocationTargetException e) {
      assertThat(e.getCause()).isInstanceOf(IllegalArgumentException.class);
      FuzzChecks.oneLine("message", e.getCause().getMessage(), 600);
      return;
    }
    Object command = CAPTURE_PARSE.invoke(null, argv);
    List<String> out = (List<String>) CAPTURE_EXPAND.invoke(command, values);
    assertThat(out).as("%s with %s", argv, values).hasSameSizeAs(argv);
    assertThat(out.get(0)).isEqualTo(argv.get(0));
    assertThat(Path.of(out.get(0)).isAbsolute()).isTrue();
    for (int i = 1; i < argv.size(); i++) {
      String a = argv.get(i);
      String p = a.length() > 2 && a.startsWith("{") && a.endsWith("}") ? a.substring(1, a.length() - 1) : null;
      String expected = p != null && values.containsKey(p) ? values.get(p) : a;
      assertThat(out.get(i)).as("argument %d of %s", i, argv).isEqualTo(expected);
      if (p == null || !values.containsKey(p)) {
        for (String known : values.keySet()) {
          assertThat(a).as("an accepted argument never hides a placeholder").doesNotContain("{" + known + "}");
        }
      }
    }
  }

  private static void parseList(String text) {
    List<String> argv;
    try {
      argv = ArgvTemplate.parseList(text);
    } catch (IllegalArgumentException e) {
      FuzzChecks.oneLine("message", e.getMessage(), 600);
      return;
    }
    assertThat(argv).doesNotContainNull();
  }
}
