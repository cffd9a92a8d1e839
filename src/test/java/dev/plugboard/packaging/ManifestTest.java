package dev.plugboard.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Parses every manifest under k8s/ and holds it to what the application reads: probe paths, the
 * HTTP port, environment variable names, Secret keys, shutdown timing, and the hardening rules.
 */
@SuppressWarnings("unchecked")
class ManifestTest {

  private static final Path K8S = Path.of("k8s");
  private static final String SECRET = "plugboard-secrets";

  /** Read by Quarkus itself (datasource runtime config), not by a Plugboard config interface. */
  private static final Set<String> QUARKUS_RUNTIME =
      Set.of("QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD");

  /** The migration step: the same image, started to run its initialization (Flyway) and exit. */
  private static final Map<String, String> MIGRATE_ENV =
      Map.of("QUARKUS_INIT_AND_EXIT", "true", "QUARKUS_FLYWAY_MIGRATE_AT_START", "true");

  private static AppConfigNames app;
  private static Map<Path, List<Map<String, Object>>> manifests;

  @BeforeAll
  static void load() throws IOException {
    app = AppConfigNames.load(Path.of("target/classes"));
    manifests = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(K8S)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(Files.readString(p))) {
          if (doc != null) {
            docs.add((Map<String, Object>) doc);
          }
        }
        manifests.put(p, docs);
      }
    }
  }

  @Test
  void everyManifestIsAKubernetesObject() {
    assertTrue(manifests.size() >= 15, "manifests found: " + manifests.keySet());
    manifests.forEach(
        (path, docs) -> {
          assertFalse(docs.isEmpty(), path + " is empty");
          for (Map<String, Object> doc : docs) {
            assertNotNull(doc.get("apiVersion"), path + ": apiVersion");
            assertNotNull(doc.get("kind"), path + ": kind");
            if (!"Kustomization".equals(doc.get("kind"))) {
              assertNotNull(map(doc, "metadata").get("name"), path + ": metadata.name");
            }
          }
        });
  }

  @Test
  void kustomizationsReferenceExistingFilesAndLeaveNoneOut() {
    Set<Path> referenced = new HashSet<>();
    for (Path k : kustomizations()) {
      Path dir = k.getParent();
      Map<String, Object> doc = manifests.get(k).getFirst();
      List<String> refs = new ArrayList<>(strings(doc.get("resources")));
      refs.addAll(strings(doc.get("components")));
      for (Map<String, Object> patch : maps(doc.get("patches"))) {
        if (patch.get("path") != null) {
          refs.add((String) patch.get("path"));
        } else {
          assertNotNull(patch.get("patch"), k + ": a patch needs a path or an inline patch");
        }
      }
      for (String ref : refs) {
        Path target = dir.resolve(ref).normalize();
        if (Files.isDirectory(target)) {
          assertTrue(Files.exists(target.resolve("kustomization.yaml")), k + ": " + ref + " has no kustomization.yaml");
        } else {
          assertTrue(Files.isRegularFile(target), k + ": " + ref + " does not exist");
        }
        referenced.add(target);
      }
    }
    for (Path p : manifests.keySet()) {
      boolean kustomization = p.getFileName().toString().equals("kustomization.yaml");
      boolean example = p.getFileName().toString().endsWith(".example.yaml");
      if (!kustomization && !example) {
        assertTrue(referenced.contains(p.normalize()), p + " is not referenced by any kustomization");
      }
    }
  }

  @Test
  void containersUseTheAppsPortAndHealthPaths() {
    int port = Integer.parseInt(app.property("quarkus.http.port").orElse("8080"));
    String root = "/" + app.property("quarkus.http.non-application-root-path").orElse("q") + "/"
        + app.property("quarkus.smallrye-health.root-path").orElse("health") + "/";
    Map<String, String> probes = Map.of(
        "startupProbe", root + app.property("quarkus.smallrye-health.startup-path").orElse("started"),
        "readinessProbe", root + app.property("quarkus.smallrye-health.readiness-path").orElse("ready"),
        "livenessProbe", root + app.property("quarkus.smallrye-health.liveness-path").orElse("live"));

    List<Map<String, Object>> containers = appContainers();
    assertEquals(2, containers.size(), "the Deployment and the Knative Service");
    for (Map<String, Object> c : containers) {
      List<Map<String, Object>> ports = maps(c.get("ports"));
      assertEquals(1, ports.size());
      assertEquals(port, ports.getFirst().get("containerPort"));
      assertNotNull(c.get("readinessProbe"));
      assertNotNull(c.get("livenessProbe"));
      probes.forEach(
          (kind, path) -> {
            if (c.get(kind) == null) {
              return;
            }
            Map<String, Object> get = map(map(c, kind), "httpGet");
            assertEquals(path, get.get("path"), kind);
            Object probePort = get.get("port");
            assertTrue(probePort == null || probePort.equals(ports.getFirst().get("name")) || probePort.equals(port),
                kind + " port " + probePort);
          });
    }
    Map<String, Object> service = only("Service", "v1");
    Map<String, Object> servicePort = maps(map(service, "spec").get("ports")).getFirst();
    assertEquals("http", servicePort.get("targetPort"));
  }

  @Test
  void everyEnvironmentVariableIsReadByTheApp() {
    Set<String> names = new TreeSet<>();
    List<Map<String, Object>> containers = new ArrayList<>(appContainers());
    containers.addAll(migrateContainers());
    for (Map<String, Object> c : containers) {
      maps(c.get("env")).forEach(e -> names.add((String) e.get("name")));
      for (Map<String, Object> from : maps(c.get("envFrom"))) {
        assertEquals("plugboard-config", map(from, "configMapRef").get("name"), "envFrom");
      }
    }
    names.addAll(map(only("ConfigMap", "v1"), "data").keySet());
    names.addAll(secretExampleKeys());
    names.addAll(generatorLiterals("secretGenerator", SECRET).keySet());
    names.addAll(generatorLiterals("configMapGenerator", "plugboard-config").keySet());

    for (String name : names) {
      assertTrue(app.reads(name) || QUARKUS_RUNTIME.contains(name) || MIGRATE_ENV.containsKey(name),
          name + " is not read by the application (Plugboard reads: "
          + app.envNames().stream().filter(n -> n.startsWith("PLUGBOARD_")).toList() + ")");
    }
    assertTrue(names.containsAll(QUARKUS_RUNTIME), "datasource settings: " + names);
    for (String own : List.of("PLUGBOARD_CRYPTO_KEYS", "PLUGBOARD_CRYPTO_ACTIVE_KEY", "PLUGBOARD_ADMIN_TOKEN",
        "PLUGBOARD_INTERNAL_TOKEN", "PLUGBOARD_PUBLIC_BASE_URL")) {
      assertTrue(app.reads(own), own + " no longer maps to a config property");
      assertTrue(names.contains(own), own + " is not set by the manifests");
    }
  }

  @Test
  void secretReferencesNameExistingKeys() {
    Set<String> example = secretExampleKeys();
    Set<String> dev = generatorLiterals("secretGenerator", SECRET).keySet();
    List<Map<String, Object>> containers = new ArrayList<>(appContainers());
    containers.addAll(containers(only("CronJob", "batch/v1")));
    containers.addAll(migrateContainers());
    for (Map<String, Object> c : containers) {
      for (Map<String, Object> env : maps(c.get("env"))) {
        Map<String, Object> from = (Map<String, Object>) env.get("valueFrom");
        if (from == null) {
          continue;
        }
        Map<String, Object> ref = map(from, "secretKeyRef");
        assertEquals(SECRET, ref.get("name"));
        assertEquals(env.get("name"), ref.get("key"), "env name and secret key are the same");
        assertTrue(example.contains(ref.get("key")), ref.get("key") + " missing in secret.example.yaml");
        if (!Boolean.TRUE.equals(ref.get("optional"))) {
          assertTrue(dev.contains(ref.get("key")), ref.get("key") + " missing in the dev overlay's secretGenerator");
        }
      }
      if (c.get("name").equals("plugboard")) {
        Map<String, Object> keys = maps(c.get("env")).stream()
            .filter(e -> e.get("name").equals("PLUGBOARD_CRYPTO_KEYS"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("PLUGBOARD_CRYPTO_KEYS is not set"));
        assertFalse(Boolean.TRUE.equals(map(map(keys, "valueFrom"), "secretKeyRef").get("optional")),
            "production refuses to start without PLUGBOARD_CRYPTO_KEYS");
      }
    }
    String devKey = generatorLiterals("secretGenerator", SECRET).get("PLUGBOARD_CRYPTO_KEYS");
    byte[] raw = java.util.Base64.getDecoder().decode(devKey.substring(devKey.indexOf(':') + 1));
    assertEquals(32, raw.length, "the dev key is AES-256");
  }

  @Test
  void workloadsAreHardenedAndShutDownGracefully() {
    Duration shutdown = Duration.parse("PT" + app.property("quarkus.shutdown.timeout").orElseThrow().toUpperCase())
        .plus(Duration.parse("PT" + app.property("quarkus.shutdown.delay").orElse("0s").toUpperCase()));
    int workloads = 0;
    for (Map<String, Object> doc : all()) {
      Map<String, Object> pod = podSpec(doc);
      if (pod == null) {
        continue;
      }
      workloads++;
      String where = doc.get("kind") + "/" + map(doc, "metadata").get("name");
      assertEquals(true, map(pod, "securityContext").get("runAsNonRoot"), where);
      assertEquals(false, pod.get("automountServiceAccountToken"), where);
      List<Map<String, Object>> all = new ArrayList<>(containers(doc));
      all.addAll(maps(pod.get("initContainers")));
      for (Map<String, Object> c : all) {
        Map<String, Object> sc = map(c, "securityContext");
        assertEquals(true, sc.get("readOnlyRootFilesystem"), where);
        assertEquals(false, sc.get("allowPrivilegeEscalation"), where);
        assertEquals(List.of("ALL"), map(sc, "capabilities").get("drop"), where);
        assertNotNull(map(map(c, "resources"), "limits").get("memory"), where + " memory limit");
        assertNotNull(map(map(c, "resources"), "requests").get("memory"), where + " memory request");
      }
      if (where.endsWith("/plugboard")) {
        long grace = ((Number) pod.get("terminationGracePeriodSeconds")).longValue();
        assertTrue(grace > shutdown.toSeconds(), where + ": grace period " + grace + " s vs shutdown " + shutdown);
        Map<String, Object> c = containers(doc).getFirst();
        assertTrue(maps(c.get("volumeMounts")).stream().anyMatch(m -> "/tmp".equals(m.get("mountPath"))),
            where + ": writable /tmp with a read-only root");
      }
    }
    assertEquals(5, workloads, "Deployment, Knative Service, migration Job, CronJob, dev PostgreSQL");
  }

  @Test
  void networkPolicyAllowsOnlyDnsPostgresAndHttpsOut() {
    Map<String, Object> spec = map(only("NetworkPolicy", "networking.k8s.io/v1"), "spec");
    assertEquals(List.of("Ingress", "Egress"), spec.get("policyTypes"));
    Set<Integer> ports = new TreeSet<>();
    for (Map<String, Object> rule : maps(spec.get("egress"))) {
      maps(rule.get("ports")).forEach(p -> ports.add((Integer) p.get("port")));
    }
    assertEquals(Set.of(53, 443, 5432), ports);
    assertEquals(Map.of("app.kubernetes.io/name", "plugboard", "app.kubernetes.io/component", "server"),
        map(map(spec, "podSelector"), "matchLabels"));
  }

  @Test
  void knativeScalesToZeroAndCronJobRunsMaintenance() {
    Map<String, Object> ksvc = only("Service", "serving.knative.dev/v1");
    Map<String, Object> annotations = map(map(map(map(ksvc, "spec"), "template"), "metadata"), "annotations");
    assertEquals("0", annotations.get("autoscaling.knative.dev/min-scale"));

    Map<String, Object> cron = only("CronJob", "batch/v1");
    Map<String, Object> c = containers(cron).getFirst();
    String script = String.join(" ", strings(c.get("command")));
    assertTrue(script.contains("-X POST") && script.contains("/admin/v1/maintenance/run"), script);
    assertTrue(script.contains("Authorization: Bearer") && script.contains("$PLUGBOARD_ADMIN_TOKEN"), script);
    assertTrue(maps(c.get("env")).stream().anyMatch(e -> "PLUGBOARD_ADMIN_TOKEN".equals(e.get("name"))));
    Path kn = K8S.resolve("overlays/knative/kustomization.yaml");
    assertTrue(strings(manifests.get(kn).getFirst().get("resources")).contains("maintenance-cronjob.yaml"));
  }

  @Test
  void migrationsRunAsTheirOwnStepWithTheServersImage() {
    Map<String, Object> deployment = only("Deployment", "apps/v1");
    Map<String, Object> ksvc = only("Service", "serving.knative.dev/v1");
    Map<String, Object> job = only("Job", "batch/v1");
    assertTrue(maps(podSpec(ksvc).get("initContainers")).isEmpty(), "no migration run in a Knative cold start");
    List<Map<String, Object>> steps = migrateContainers();
    assertEquals(2, steps.size(), "the Deployment's init container and the Knative overlay's Job");
    for (Map<String, Object> step : steps) {
      Map<String, String> env = new LinkedHashMap<>();
      maps(step.get("env")).stream().filter(e -> e.get("value") != null)
          .forEach(e -> env.put((String) e.get("name"), String.valueOf(e.get("value"))));
      assertEquals(MIGRATE_ENV, env, "the migration step's switches");
      assertEquals(containers(deployment).getFirst().get("image"), step.get("image"), "same image as the server");
      assertEquals(containers(ksvc).getFirst().get("image"), step.get("image"), "same image as the server");
    }
    assertEquals("false", String.valueOf(app.property("quarkus.flyway.migrate-at-start").orElseThrow()),
        "the server does not migrate in production");
    for (Map<String, Object> server : appContainers()) {
      assertTrue(maps(server.get("env")).stream().noneMatch(e -> MIGRATE_ENV.containsKey(e.get("name"))),
          "the server container runs no migration");
    }
    Path kn = K8S.resolve("overlays/knative/kustomization.yaml");
    assertTrue(strings(manifests.get(kn).getFirst().get("resources")).contains("migrate-job.yaml"));
    assertNotNull(map(job, "spec").get("ttlSecondsAfterFinished"), "a later apply can create the Job again");
  }

  /** Renders every kustomization with kubectl when it is installed (the CI machines have it). */
  @Test
  void kustomizeRendersEveryKustomization() throws Exception {
    Assumptions.assumeTrue(onPath("kubectl"), "kubectl is not installed");
    for (Path k : kustomizations()) {
      Process p = new ProcessBuilder("kubectl", "kustomize", k.getParent().toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize " + k.getParent());
      if (p.exitValue() != 0) {
        fail("kubectl kustomize " + k.getParent() + ":\n" + out);
      }
      int docs = 0;
      for (Object doc : new Yaml().loadAll(out)) {
        docs += doc == null ? 0 : 1;
      }
      assertTrue(docs >= 3, k.getParent() + " rendered " + docs + " objects");
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    return path != null && Stream.of(path.split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, command)));
  }

  private static List<Path> kustomizations() {
    return manifests.keySet().stream().filter(p -> p.getFileName().toString().equals("kustomization.yaml")).toList();
  }

  private static List<Map<String, Object>> all() {
    return manifests.values().stream().flatMap(List::stream).filter(d -> !"Kustomization".equals(d.get("kind")))
        .filter(d -> map(d, "metadata").get("name") != null && !isPatch(d)).toList();
  }

  /** Overlay patches are partial objects; they carry no spec.template or data of their own. */
  private static boolean isPatch(Map<String, Object> doc) {
    return manifests.entrySet().stream().filter(e -> e.getValue().contains(doc)).anyMatch(e -> patchFiles().contains(e.getKey().normalize()));
  }

  private static Set<Path> patchFiles() {
    Set<Path> patches = new HashSet<>();
    for (Path k : kustomizations()) {
      for (Map<String, Object> patch : maps(manifests.get(k).getFirst().get("patches"))) {
        if (patch.get("path") != null) {
          patches.add(k.getParent().resolve((String) patch.get("path")).normalize());
        }
      }
    }
    return patches;
  }

  private static Map<String, Object> only(String kind, String apiVersion) {
    List<Map<String, Object>> found = all().stream()
        .filter(d -> kind.equals(d.get("kind")) && apiVersion.equals(d.get("apiVersion")))
        .filter(d -> !String.valueOf(map(d, "metadata").get("name")).endsWith("-postgres"))
        .toList();
    assertEquals(1, found.size(), kind + " " + apiVersion + ": " + found.size());
    return found.getFirst();
  }

  private static Map<String, Object> podSpec(Map<String, Object> doc) {
    Map<String, Object> spec = map(doc, "spec");
    return switch (String.valueOf(doc.get("kind"))) {
      case "Deployment" -> map(map(spec, "template"), "spec");
      case "CronJob" -> map(map(map(map(spec, "jobTemplate"), "spec"), "template"), "spec");
      case "Job" -> map(map(spec, "template"), "spec");
      case "Service" -> "serving.knative.dev/v1".equals(doc.get("apiVersion")) ? map(map(spec, "template"), "spec") : null;
      default -> null;
    };
  }

  private static List<Map<String, Object>> containers(Map<String, Object> doc) {
    return maps(podSpec(doc).get("containers"));
  }

  private static List<Map<String, Object>> appContainers() {
    List<Map<String, Object>> found = new ArrayList<>();
    for (Map<String, Object> doc : all()) {
      if (podSpec(doc) != null) {
        containers(doc).stream().filter(c -> "plugboard".equals(c.get("name"))).forEach(found::add);
      }
    }
    return found;
  }

  /** The Deployment's init containers and the Job's containers that run the migration step. */
  private static List<Map<String, Object>> migrateContainers() {
    List<Map<String, Object>> found = new ArrayList<>();
    for (Map<String, Object> doc : all()) {
      Map<String, Object> pod = podSpec(doc);
      if (pod != null) {
        List<Map<String, Object>> candidates = new ArrayList<>(maps(pod.get("initContainers")));
        candidates.addAll(maps(pod.get("containers")));
        candidates.stream().filter(c -> "migrate".equals(c.get("name"))).forEach(found::add);
      }
    }
    return found;
  }

  private static Set<String> secretExampleKeys() {
    Map<String, Object> secret = manifests.get(K8S.resolve("base/secret.example.yaml")).getFirst();
    assertEquals(SECRET, map(secret, "metadata").get("name"));
    return map(secret, "stringData").keySet();
  }

  private static Map<String, String> generatorLiterals(String generator, String name) {
    Map<String, String> literals = new LinkedHashMap<>();
    for (Path k : kustomizations()) {
      for (Map<String, Object> g : maps(manifests.get(k).getFirst().get(generator))) {
        if (name.equals(g.get("name"))) {
          for (String literal : strings(g.get("literals"))) {
            literals.put(literal.substring(0, literal.indexOf('=')), literal.substring(literal.indexOf('=') + 1));
          }
        }
      }
    }
    return literals;
  }

  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    return value == null ? Map.of() : (Map<String, Object>) value;
  }

  private static List<Map<String, Object>> maps(Object value) {
    return value == null ? List.of() : (List<Map<String, Object>>) value;
  }

  private static List<String> strings(Object value) {
    return value == null ? List.of() : ((List<Object>) value).stream().map(String::valueOf).toList();
  }
}
