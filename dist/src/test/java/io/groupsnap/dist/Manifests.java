package io.groupsnap.dist;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The objects of deploy/kubernetes, read as Kubernetes would: each YAML document is bound to the Kubernetes API's
 * model class of its kind (fabric8), and any field the model does not know — a misspelling, a field at the wrong
 * level — is an error naming the file and the field's path. Kinds outside the core API (ServiceMonitor) stay trees.
 */
final class Manifests {
  static final Path DIR = Path.of("../deploy/kubernetes");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  /** The kinds these manifests may hold, with the apiVersion and model class of each. */
  static final Map<String, Kind> KINDS = Map.of(
      "Namespace", new Kind("v1", Namespace.class),
      "ServiceAccount", new Kind("v1", ServiceAccount.class),
      "ConfigMap", new Kind("v1", ConfigMap.class),
      "Service", new Kind("v1", Service.class),
      "DaemonSet", new Kind("apps/v1", DaemonSet.class),
      "StatefulSet", new Kind("apps/v1", StatefulSet.class),
      "PodDisruptionBudget", new Kind("policy/v1", PodDisruptionBudget.class),
      "ServiceMonitor", new Kind("monitoring.coreos.com/v1", null));

  record Kind(String apiVersion, Class<?> model) {}

  /** One object: the file it came from, its tree and, for a built-in kind, its model. */
  record Doc(Path file, JsonNode tree, Object model) {
    String kind() {
      return tree.path("kind").asText();
    }

    String name() {
      return tree.path("metadata").path("name").asText();
    }

    <T> T as(Class<T> type) {
      return type.cast(model);
    }
  }

  private Manifests() {}

  /** The manifest files: every YAML file of the directory but the kustomization. */
  static List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(".yaml"))
          .filter(p -> !p.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
    }
  }

  /** Every object of every manifest file, bound to its model; fails on an unknown kind or field. */
  static List<Doc> load() throws IOException {
    List<Doc> out = new ArrayList<>();
    for (Path f : files()) {
      for (JsonNode tree : YAML.readValues(YAML.createParser(f.toFile()), JsonNode.class).readAll()) {
        if (tree == null || tree.isNull() || tree.isMissingNode()) {
          continue;
        }
        out.add(bind(f, tree));
      }
    }
    return out;
  }

  static Doc bind(Path f, JsonNode tree) throws IOException {
    String kind = tree.path("kind").asText();
    Kind k = KINDS.get(kind);
    if (k == null) {
      throw new AssertionError(f + ": kind '" + kind + "' is not one these manifests may hold");
    }
    if (!k.apiVersion().equals(tree.path("apiVersion").asText())) {
      throw new AssertionError(f + ": " + kind + " has apiVersion " + tree.path("apiVersion") + ", not "
          + k.apiVersion());
    }
    if (k.model() == null) {
      return new Doc(f, tree, null);
    }
    Object model = YAML.treeToValue(tree, k.model());
    List<String> unknown = new ArrayList<>();
    unknownFields(model, kind, unknown);
    if (!unknown.isEmpty()) {
      throw new AssertionError(f + ": fields the Kubernetes API does not know: " + unknown);
    }
    return new Doc(f, tree, model);
  }

  /**
   * The paths of fields the model kept aside as "additional properties": what the API server would refuse (strict
   * field validation) or drop. Walks every getter of every fabric8 object reachable from {@code o}.
   */
  static void unknownFields(Object o, String path, List<String> out) {
    if (o == null) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        unknownFields(e, path + "[" + i++ + "]", out);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.forEach((key, v) -> unknownFields(v, path + "." + key, out));
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Method g : o.getClass().getMethods()) {
      if (g.getParameterCount() != 0 || Modifier.isStatic(g.getModifiers()) || g.getDeclaringClass() == Object.class
          || !(g.getName().startsWith("get") || g.getName().startsWith("is"))) {
        continue;
      }
      Object v;
      try {
        v = g.invoke(o);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      String field = Character.toLowerCase(g.getName().charAt(g.getName().startsWith("is") ? 2 : 3))
          + g.getName().substring(g.getName().startsWith("is") ? 3 : 4);
      if (g.getName().equals("getAdditionalProperties")) {
        if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
          extra.keySet().forEach(key -> out.add(path + "." + key));
        }
      } else {
        unknownFields(v, path + "." + field, out);
      }
    }
  }
}
