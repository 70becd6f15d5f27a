package io.groupsnap.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.config.ConfigLoader;
import io.groupsnap.common.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/kubernetes, checked as a reviewer would without a cluster: every object binds to the Kubernetes API's model
 * with no unknown field ({@link Manifests}); the agent's configuration, rendered for a node, loads with the agent's
 * own parser; and the invariants the README promises hold — images, resources and probes on every container, a
 * coordinator without privileges, the agent's privileges on the agent alone, no API access, every ConfigMap present
 * and every Secret documented as the operator's, and ports that agree from the daemons' arguments through the
 * containers and Services to the ServiceMonitor.
 */
class KubernetesManifestsTest {
  static final String IMAGE = "groupsnap:GROUPSNAP_VERSION";
  private static final Pattern PLACEHOLDER = Pattern.compile("@[A-Z_]+@");
  private static List<Manifests.Doc> docs;

  @TempDir Path tmp;

  @BeforeAll
  static void load() throws Exception {
    docs = Manifests.load();
  }

  @Test
  void everyObject_bindsToItsKubernetesModel_andAMisspeltFieldFails() throws Exception {
    assertThat(docs).extracting(Manifests.Doc::kind).contains("Namespace", "ServiceAccount", "ConfigMap", "Service",
        "DaemonSet", "StatefulSet", "PodDisruptionBudget", "ServiceMonitor");
    // the check itself: a field at a wrong level is refused, naming it
    JsonNode tree = Manifests.YAML.readTree(Files.readString(Manifests.DIR.resolve("coordinator-pdb.yaml"))
        .replace("minAvailable: 1", "minAvailable: 1\n  minAvailible: 1"));
    try {
      Manifests.bind(Path.of("mutated"), tree);
      throw new IllegalStateException("a misspelt field was accepted");
    } catch (AssertionError e) {
      assertThat(e).hasMessageContaining("minAvailible");
    }
  }

  @Test
  void theKustomization_listsEveryManifest_andNamesTheImage() throws Exception {
    JsonNode k = Manifests.YAML.readTree(Manifests.DIR.resolve("kustomization.yaml").toFile());
    Set<String> listed = new TreeSet<>();
    k.get("resources").forEach(r -> listed.add(r.asText()));
    Set<String> files = new TreeSet<>();
    Manifests.files().forEach(f -> files.add(f.getFileName().toString()));
    assertThat(listed).isEqualTo(files);
    assertThat(k.path("namespace").asText()).isEqualTo("groupsnap");
    assertThat(k.path("images").get(0).path("name").asText()).isEqualTo(IMAGE.substring(0, IMAGE.indexOf(':')));
    for (Manifests.Doc d : docs) {
      if (!d.kind().equals("Namespace")) {
        assertThat(d.tree().path("metadata").path("namespace").asText()).as("%s %s", d.kind(), d.name())
            .isEqualTo("groupsnap");
      }
    }
  }

  @Test
  void everyContainer_runsTheProjectsImage_withResources_andTheDaemonsHaveProbes() {
    for (Workload w : workloads()) {
      for (Container c : w.allContainers()) {
        String where = w.name + "/" + c.getName();
        assertThat(c.getImage()).as("%s image", where).isEqualTo(IMAGE);
        assertThat(c.getResources()).as("%s resources", where).isNotNull();
        assertThat(c.getResources().getRequests()).as("%s requests", where).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).as("%s limits", where).containsKey("memory");
      }
      for (Container c : w.spec.getContainers()) {
        String where = w.name + "/" + c.getName();
        assertThat(c.getReadinessProbe()).as("%s readiness", where).isNotNull();
        assertThat(c.getLivenessProbe()).as("%s liveness", where).isNotNull();
        for (Probe p : List.of(c.getReadinessProbe(), c.getLivenessProbe())) {
          if (p.getHttpGet() != null) {
            assertThat(portNames(c)).as("%s probe port", where).contains(p.getHttpGet().getPort().getStrVal());
          }
          if (p.getExec() != null) {
            // the kubelet's grpc probe cannot speak TLS: groupsnap health, dialling this container's gRPC port
            assertThat(p.getExec().getCommand()).as("%s probe", where).contains("io.groupsnap.cli.Groupsnap",
                "health", "127.0.0.1:" + port(c, "grpc"));
          }
        }
      }
    }
  }

  @Test
  void theCoordinator_runsAsNonRoot_withAReadOnlyRoot_andNoPrivilege() {
    Workload w = workload("StatefulSet", "groupsnap-coordinator");
    StatefulSet s = (StatefulSet) w.doc.model();
    assertThat(s.getSpec().getReplicas()).isEqualTo(2);
    assertThat(w.spec.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(w.spec.getSecurityContext().getRunAsUser()).isPositive();
    assertThat(w.spec.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(w.spec.getHostPID()).isNotEqualTo(Boolean.TRUE);
    assertThat(w.spec.getVolumes()).allSatisfy(v -> assertThat(v.getHostPath()).as(v.getName()).isNull());
    for (Container c : w.allContainers()) {
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
      assertThat(c.getSecurityContext().getPrivileged()).as(c.getName()).isNotEqualTo(Boolean.TRUE);
      Long user = c.getSecurityContext().getRunAsUser();
      assertThat(user == null || user != 0).as("%s runs as the pod's non-root user", c.getName()).isTrue();
      assertThat(c.getSecurityContext().getCapabilities().getDrop()).as(c.getName()).containsExactly("ALL");
      assertThat(c.getSecurityContext().getCapabilities().getAdd()).as(c.getName()).isNullOrEmpty();
    }
  }

  @Test
  void privileges_areTheAgentsAlone_andItsHostPathsKeepTheNodesPaths() {
    Workload agent = workload("DaemonSet", "groupsnap-agent");
    for (Workload w : workloads()) {
      boolean isAgent = w.name().equals(agent.name());
      assertThat(Boolean.TRUE.equals(w.spec.getHostNetwork())).as("%s hostNetwork", w.name).isEqualTo(isAgent);
      assertThat(Boolean.TRUE.equals(w.spec.getHostPID())).as("%s hostPID", w.name).isEqualTo(isAgent);
      for (Container c : w.allContainers()) {
        boolean main = isAgent && w.spec.getContainers().contains(c);
        boolean privileged = c.getSecurityContext() != null
            && Boolean.TRUE.equals(c.getSecurityContext().getPrivileged());
        assertThat(privileged).as("%s/%s privileged", w.name, c.getName()).isEqualTo(main);
        for (VolumeMount m : c.getVolumeMounts()) {
          Volume v = volume(w, m.getName());
          if (v.getHostPath() != null) {
            assertThat(main).as("%s/%s mounts host path %s", w.name, c.getName(), v.getHostPath().getPath())
                .isTrue();
            assertThat(m.getMountPath()).as("host path %s", v.getHostPath().getPath())
                .isEqualTo(v.getHostPath().getPath());
          }
          if (m.getMountPropagation() != null) {
            assertThat(m.getMountPropagation()).isIn("None", "HostToContainer", "Bidirectional");
            assertThat(m.getMountPropagation().equals("Bidirectional") && !main).as(m.getName()).isFalse();
          }
        }
      }
    }
    Container c = agent.spec.getContainers().get(0);
    Map<String, VolumeMount> byPath = new LinkedHashMap<>();
    c.getVolumeMounts().forEach(m -> byPath.put(m.getMountPath(), m));
    assertThat(byPath.get("/var/lib/groupsnap/snapshots").getMountPropagation()).isEqualTo("Bidirectional");
    assertThat(byPath).containsKeys("/dev", "/sys/fs/cgroup", "/var/lib/groupsnap/state", "/srv");
  }

  @Test
  void noApiAccess_noRbac_andEveryPodsServiceAccountExists() {
    Set<String> accounts = new TreeSet<>();
    for (Manifests.Doc d : docs) {
      if (d.model() instanceof ServiceAccount sa) {
        assertThat(sa.getAutomountServiceAccountToken()).as(d.name()).isFalse();
        accounts.add(d.name());
      }
    }
    assertThat(docs).extracting(Manifests.Doc::kind).doesNotContain("Role", "ClusterRole", "RoleBinding",
        "ClusterRoleBinding");
    for (Workload w : workloads()) {
      assertThat(w.spec.getAutomountServiceAccountToken()).as(w.name).isFalse();
      assertThat(accounts).as(w.name).contains(w.spec.getServiceAccountName());
    }
  }

  @Test
  void everyConfigMapExists_andEverySecretIsOneTheReadmeTellsTheOperatorToMake() throws Exception {
    Map<String, Set<String>> documented = documentedSecrets();
    Set<String> configMaps = new TreeSet<>();
    docs.stream().filter(d -> d.model() instanceof ConfigMap).forEach(d -> configMaps.add(d.name()));
    Set<String> used = new TreeSet<>();
    for (Workload w : workloads()) {
      for (Volume v : w.spec.getVolumes()) {
        if (v.getConfigMap() != null) {
          assertThat(configMaps).as("%s volume %s", w.name, v.getName()).contains(v.getConfigMap().getName());
        }
        if (v.getSecret() != null) {
          String name = v.getSecret().getSecretName();
          used.add(name);
          assertThat(documented).as("%s volume %s: Secret %s in README.md", w.name, v.getName(), name)
              .containsKey(name);
          // every file a container reads from the Secret is a key the README says it holds
          for (Container c : w.allContainers()) {
            for (VolumeMount m : c.getVolumeMounts()) {
              if (m.getName().equals(v.getName())) {
                for (String key : filesUnder(c, m.getMountPath())) {
                  assertThat(documented.get(name)).as("%s/%s reads %s/%s", w.name, c.getName(), name, key)
                      .contains(key);
                }
              }
            }
          }
        }
        assertThat(v.getProjected()).as("%s volume %s", w.name, v.getName()).isNull();
      }
      for (Container c : w.allContainers()) {
        assertThat(c.getEnvFrom()).as("%s/%s envFrom", w.name, c.getName()).isNullOrEmpty();
        c.getEnv().forEach(e -> assertThat(e.getValueFrom() == null || e.getValueFrom().getFieldRef() != null)
            .as("%s/%s env %s comes from the pod's own fields", w.name, c.getName(), e.getName()).isTrue());
      }
    }
    assertThat(used).as("Secrets the README lists").isEqualTo(documented.keySet());
    assertThat(docs).extracting(Manifests.Doc::kind).as("no Secret (with data) is shipped").doesNotContain("Secret");
  }

  @Test
  void theAgentsConfiguration_renderedForANode_loadsWithTheAgentsParser_andNamesOnlyMountedPaths() throws Exception {
    Workload w = workload("DaemonSet", "groupsnap-agent");
    Container init = w.spec.getInitContainers().get(0);
    Container agent = w.spec.getContainers().get(0);
    String template = configMap("groupsnap-agent").getData().get("agent.yaml");
    String script = String.join("\n", init.getCommand());
    Matcher placeholders = PLACEHOLDER.matcher(template);
    while (placeholders.find()) {
      assertThat(script).as("the init container replaces %s", placeholders.group()).contains(placeholders.group());
    }
    String rendered = template.replace("@NODE_NAME@", "node-a.example").replace("@HOST_IP@", "10.0.0.11");
    assertThat(PLACEHOLDER.matcher(rendered).find()).isFalse();
    // The node as the container sees it, under a temporary root: every path of the container's mounts moves there,
    // so a path the configuration names outside every mount stays where it was and the loader (which looks at the
    // files) or the check below refuses it. The node's volume directories and the Secret's copy are made there.
    Path node = tmp.resolve("node");
    // (/sys/fs/cgroup stays: the cgroup writer accepts nothing else, and the container mounts the node's there)
    List<String> mounts = agent.getVolumeMounts().stream().map(VolumeMount::getMountPath)
        .filter(m -> !m.equals("/sys/fs/cgroup")).sorted((a, b) -> b.length() - a.length()).map(Pattern::quote).toList();
    Matcher at = Pattern.compile("(?<=[\\s\\[\"])(" + String.join("|", mounts) + ")(?=[/\\s,\\]\"])")
        .matcher(rendered);
    StringBuilder moved = new StringBuilder();
    while (at.find()) {
      at.appendReplacement(moved, Matcher.quoteReplacement(node + at.group(1)));
    }
    String rebased = at.appendTail(moved).toString();
    for (VolumeMount m : agent.getVolumeMounts()) {
      Files.createDirectories(Path.of(node + m.getMountPath()));
    }
    JsonNode tree = Manifests.YAML.readTree(rebased);
    for (JsonNode v : tree.path("volumes")) {
      Files.createDirectories(Path.of(v.path("path").asText()));
    }
    for (JsonNode f : tree.path("tls")) {
      Path file = Path.of(f.asText());
      Files.createDirectories(file.getParent());
      Files.writeString(file, "");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
    Path credentials = node.resolve("run/groupsnap/zookeeper-agents.auth");
    Files.createDirectories(credentials.getParent());
    Files.writeString(credentials, "agents:secret\n");
    Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
    AgentConfig cfg = ConfigLoader.parse("agent.yaml", rebased);

    assertThat(cfg.agentId()).isEqualTo("node-a.example");
    assertThat(cfg.advertise()).isEqualTo(new HostPort("10.0.0.11", port(agent, "grpc")));
    assertThat(cfg.listen().port()).isEqualTo(port(agent, "grpc"));
    assertThat(cfg.metricsListen()).isEqualTo(new HostPort("10.0.0.11", port(agent, "metrics")));
    assertThat(cfg.zookeeperAuth()).isEqualTo(credentials);
    assertThat(agent.getArgs()).containsSubsequence("--config", "/run/groupsnap/agent.yaml");
    assertThat(script).contains(">/run/groupsnap/agent.yaml");
    List<Path> paths = new ArrayList<>(List.of(cfg.snapshotRoot(), cfg.stateDir(), cfg.zookeeperAuth()));
    cfg.volumeRoots().forEach(paths::add);
    cfg.volumes().forEach(v -> paths.add(v.path()));
    Matcher tls = Pattern.compile("(?m)^\\s+(ca|cert|key): (\\S+)").matcher(rebased);
    while (tls.find()) {
      paths.add(Path.of(tls.group(2)));
    }
    assertThat(paths).hasSizeGreaterThan(6);
    for (Path p : paths) {
      assertThat(p).as("a path of agent.yaml lies under a mount of the agent's container").startsWith(node);
    }
  }

  @Test
  void portsAgree_fromTheDaemonsArguments_throughServices_toTheServiceMonitor() {
    Workload coord = workload("StatefulSet", "groupsnap-coordinator");
    Container c = coord.spec.getContainers().get(0);
    assertThat(argument(c, "--listen")).endsWith(":" + port(c, "grpc"));
    assertThat(argument(c, "--metrics-listen")).endsWith(":" + port(c, "metrics"));
    StatefulSet s = (StatefulSet) coord.doc.model();
    assertThat(argument(c, "--advertise")).isEqualTo("$(POD_NAME)." + s.getSpec().getServiceName()
        + ".$(POD_NAMESPACE).svc.cluster.local:" + port(c, "grpc"));
    Service peers = service(s.getSpec().getServiceName());
    assertThat(peers.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(peers.getSpec().getPublishNotReadyAddresses()).isTrue();

    for (Manifests.Doc d : docs) {
      if (d.model() instanceof Service svc) {
        List<Workload> selected = workloads().stream()
            .filter(w -> labelsMatch(svc.getSpec().getSelector(), w.template.getMetadata().getLabels())).toList();
        assertThat(selected).as("Service %s selects one workload", d.name()).hasSize(1);
        for (ServicePort p : svc.getSpec().getPorts()) {
          Container target = selected.get(0).spec.getContainers().get(0);
          IntOrString t = p.getTargetPort();
          assertThat(t.getStrVal()).as("Service %s port %s targets a named port", d.name(), p.getName())
              .isEqualTo(p.getName());
          assertThat(port(target, t.getStrVal())).as("Service %s port %s", d.name(), p.getName())
              .isEqualTo(p.getPort());
        }
      }
    }

    JsonNode monitor = docs.stream().filter(d -> d.kind().equals("ServiceMonitor")).findFirst().orElseThrow().tree();
    List<Service> scraped = docs.stream().filter(d -> d.model() instanceof Service)
        .map(d -> d.as(Service.class)).filter(svc -> selects(monitor.path("spec").path("selector"),
            svc.getMetadata().getLabels())).toList();
    assertThat(scraped).extracting(svc -> svc.getMetadata().getName())
        .containsExactlyInAnyOrder("groupsnap-coordinator", "groupsnap-agent-metrics");
    for (JsonNode e : monitor.path("spec").path("endpoints")) {
      for (Service svc : scraped) {
        assertThat(svc.getSpec().getPorts()).extracting(ServicePort::getName).as(svc.getMetadata().getName())
            .contains(e.path("port").asText());
      }
    }
  }

  @Test
  void theServiceMonitor_hasWhatThePrometheusOperatorRequires_andNothingElse() {
    for (Manifests.Doc d : docs) {
      if (!d.kind().equals("ServiceMonitor")) {
        continue;
      }
      JsonNode t = d.tree();
      assertThat(fields(t)).containsExactlyInAnyOrder("apiVersion", "kind", "metadata", "spec");
      assertThat(fields(t.get("metadata"))).isSubsetOf("name", "namespace", "labels", "annotations")
          .contains("name");
      JsonNode spec = t.get("spec");
      assertThat(fields(spec)).isSubsetOf("selector", "namespaceSelector", "endpoints", "jobLabel", "targetLabels",
          "podTargetLabels", "sampleLimit").contains("selector", "endpoints");
      assertThat(fields(spec.get("selector"))).isSubsetOf("matchLabels", "matchExpressions").isNotEmpty();
      for (JsonNode x : spec.get("selector").path("matchExpressions")) {
        assertThat(fields(x)).isSubsetOf("key", "operator", "values").contains("key", "operator");
        assertThat(x.get("operator").asText()).isIn("In", "NotIn", "Exists", "DoesNotExist");
      }
      assertThat(fields(spec.path("namespaceSelector"))).isSubsetOf("matchNames", "any");
      assertThat(spec.get("endpoints").size()).isPositive();
      for (JsonNode e : spec.get("endpoints")) {
        assertThat(fields(e)).isSubsetOf("port", "path", "scheme", "interval", "scrapeTimeout").contains("port");
        assertThat(e.path("scheme").asText("http")).isIn("http", "https");
        assertThat(e.path("interval").asText("30s")).matches("\\d+[smh]");
      }
    }
  }

  @Test
  void theCoordinatorsDisruptionBudget_keepsOneOfTwo() {
    PodDisruptionBudget pdb = docs.stream().filter(d -> d.model() instanceof PodDisruptionBudget).findFirst()
        .orElseThrow().as(PodDisruptionBudget.class);
    Workload coord = workload("StatefulSet", "groupsnap-coordinator");
    assertThat(labelsMatch(pdb.getSpec().getSelector().getMatchLabels(), coord.template.getMetadata().getLabels()))
        .isTrue();
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isBetween(1,
        ((StatefulSet) coord.doc.model()).getSpec().getReplicas() - 1);
  }

  // --- helpers -----------------------------------------------------------------------------------------------------

  /** A workload's pod template, as one shape for DaemonSets and StatefulSets. */
  record Workload(String name, Manifests.Doc doc, PodTemplateSpec template, PodSpec spec) {
    List<Container> allContainers() {
      List<Container> all = new ArrayList<>(spec.getInitContainers());
      all.addAll(spec.getContainers());
      return all;
    }
  }

  static List<Workload> workloads() {
    List<Workload> out = new ArrayList<>();
    for (Manifests.Doc d : docs) {
      PodTemplateSpec t = d.model() instanceof DaemonSet ds ? ds.getSpec().getTemplate()
          : d.model() instanceof StatefulSet ss ? ss.getSpec().getTemplate() : null;
      if (t != null) {
        out.add(new Workload(d.kind() + " " + d.name(), d, t, t.getSpec()));
      }
    }
    return out;
  }

  private static Workload workload(String kind, String name) {
    return workloads().stream().filter(w -> w.name.equals(kind + " " + name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  private static ConfigMap configMap(String name) {
    return docs.stream().filter(d -> d.model() instanceof ConfigMap && d.name().equals(name)).findFirst()
        .orElseThrow().as(ConfigMap.class);
  }

  private static Service service(String name) {
    return docs.stream().filter(d -> d.model() instanceof Service && d.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no Service " + name)).as(Service.class);
  }

  private static Volume volume(Workload w, String name) {
    return w.spec.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(w.name + ": no volume " + name));
  }

  private static Set<String> portNames(Container c) {
    Set<String> out = new TreeSet<>();
    c.getPorts().forEach(p -> out.add(p.getName()));
    return out;
  }

  private static int port(Container c, String name) {
    return c.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
        .findFirst().orElseThrow(() -> new AssertionError(c.getName() + ": no port " + name));
  }

  private static String argument(Container c, String option) {
    int i = c.getArgs().indexOf(option);
    assertThat(i).as("%s in %s's args", option, c.getName()).isNotNegative();
    return c.getArgs().get(i + 1);
  }

  /** The files a container's command and args name under {@code dir}. */
  private static Set<String> filesUnder(Container c, String dir) {
    Set<String> out = new TreeSet<>();
    Stream.concat(c.getCommand().stream(), c.getArgs().stream()).forEach(word -> {
      Matcher m = Pattern.compile(Pattern.quote(dir) + "/([A-Za-z0-9._-]+)").matcher(word);
      while (m.find()) {
        out.add(m.group(1));
      }
    });
    return out;
  }

  private static boolean labelsMatch(Map<String, String> selector, Map<String, String> labels) {
    return selector != null && !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
  }

  /** Whether a label selector tree (matchLabels, matchExpressions with In) selects {@code labels}. */
  private static boolean selects(JsonNode selector, Map<String, String> labels) {
    for (var e : fieldsOf(selector.path("matchLabels")).entrySet()) {
      if (!e.getValue().asText().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    for (JsonNode x : selector.path("matchExpressions")) {
      Set<String> values = new TreeSet<>();
      x.path("values").forEach(v -> values.add(v.asText()));
      if (!x.get("operator").asText().equals("In") || !values.contains(labels.get(x.get("key").asText()))) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, JsonNode> fieldsOf(JsonNode n) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  private static Set<String> fields(JsonNode n) {
    return fieldsOf(n).keySet();
  }

  /** The Secret table of the README: its name and the keys the operator puts in it. */
  static Map<String, Set<String>> documentedSecrets() throws Exception {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    Matcher row = Pattern.compile("(?m)^\\| Secret `([a-z0-9-]+)` \\| ([^|]+) \\|")
        .matcher(Files.readString(Manifests.DIR.resolve("README.md")));
    while (row.find()) {
      Set<String> keys = new TreeSet<>();
      Matcher k = Pattern.compile("`([^`]+)`").matcher(row.group(2));
      while (k.find()) {
        keys.add(k.group(1));
      }
      out.put(row.group(1), keys);
    }
    return out;
  }
}
