package io.vizrelay.app.k8s;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomize overlay with {@code kubectl kustomize} (or a standalone {@code kustomize})
 * and parses every object strictly into the fabric8 Kubernetes model: an unknown kind, an unknown
 * field anywhere (the model keeps those in {@code additionalProperties}, so Jackson's
 * FAIL_ON_UNKNOWN_PROPERTIES alone does not catch them) or a scalar of the wrong type fails.
 */
final class Manifests {
  /** apiVersion/kind → model class: the only kinds the manifests may contain. */
  static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.of(
          "v1/Namespace", Namespace.class,
          "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
          "v1/ConfigMap", ConfigMap.class,
          "v1/Secret", Secret.class,
          "v1/Service", Service.class,
          "apps/v1/Deployment", Deployment.class,
          "apps/v1/StatefulSet", io.fabric8.kubernetes.api.model.apps.StatefulSet.class,
          "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
          "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
          "networking.k8s.io/v1/Ingress", Ingress.class);

  /**
   * The Prometheus Operator's kinds (components/monitoring), which the fabric8 core model lacks:
   * parsed as strictly into the records below, which hold only the fields the operator's CRDs have
   * and the manifests use.
   */
  static final Map<String, Class<? extends Custom>> CUSTOM_KINDS =
      Map.of(
          "monitoring.coreos.com/v1/PodMonitor", PodMonitor.class,
          "monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class);

  sealed interface Custom permits PodMonitor, PrometheusRule {
    Meta metadata();
  }

  record Meta(
      String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {}

  record Selector(Map<String, String> matchLabels) {}

  record PodMetricsEndpoint(String port, String path, String interval) {}

  record PodMonitorSpec(Selector selector, List<PodMetricsEndpoint> podMetricsEndpoints) {}

  record PodMonitor(String apiVersion, String kind, Meta metadata, PodMonitorSpec spec)
      implements Custom {}

  record Rule(
      String alert,
      String expr,
      @JsonProperty("for") String forDuration,
      Map<String, String> labels,
      Map<String, String> annotations) {}

  record RuleGroup(String name, List<Rule> rules) {}

  record RuleSpec(List<RuleGroup> groups) {}

  record PrometheusRule(String apiVersion, String kind, Meta metadata, RuleSpec spec)
      implements Custom {}

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  final String overlay;
  final List<HasMetadata> objects;
  final List<Custom> custom;

  private Manifests(String overlay, List<HasMetadata> objects, List<Custom> custom) {
    this.overlay = overlay;
    this.objects = objects;
    this.custom = custom;
  }

  /**
   * The repository root (the directory holding {@code k8s/}), from the module's working directory.
   */
  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("k8s/overlays"))) {
      p = p.getParent();
    }
    if (p == null) {
      fail("no k8s/overlays above " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  static Manifests render(String overlay) throws Exception {
    String yaml = kustomize(root().resolve("k8s/overlays").resolve(overlay));
    List<HasMetadata> objects = new ArrayList<>();
    List<Custom> custom = new ArrayList<>();
    try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(yaml)) {
      for (JsonNode doc : YAML.readValues(parser, JsonNode.class).readAll()) {
        if (doc == null || doc.isNull() || doc.isEmpty()) {
          continue;
        }
        Class<? extends Custom> customType =
            CUSTOM_KINDS.get(doc.path("apiVersion").asText() + "/" + doc.path("kind").asText());
        if (customType != null) {
          custom.add(STRICT.treeToValue(doc, customType));
        } else {
          objects.add(strict(overlay, doc));
        }
      }
    }
    return new Manifests(overlay, List.copyOf(objects), List.copyOf(custom));
  }

  static HasMetadata strict(String overlay, JsonNode doc) throws IOException {
    String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
    Class<? extends HasMetadata> type = KINDS.get(key);
    if (type == null) {
      fail(
          overlay
              + ": unexpected kind "
              + key
              + " (allowed: "
              + KINDS.keySet()
              + " and "
              + CUSTOM_KINDS.keySet()
              + ")");
    }
    HasMetadata object = STRICT.treeToValue(doc, type);
    List<String> unknown = new ArrayList<>();
    unknownFields(
        object, key + " " + object.getMetadata().getName(), unknown, new IdentityHashMap<>());
    if (!unknown.isEmpty()) {
      fail(overlay + ": fields the Kubernetes API does not have: " + unknown);
    }
    return object;
  }

  /** Every non-empty {@code additionalProperties} in the object graph, by path. */
  private static void unknownFields(
      Object o, String path, List<String> out, Map<Object, Boolean> seen) {
    if (o == null || seen.put(o, Boolean.TRUE) != null) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        unknownFields(e, path + "[" + i++ + "]", out, seen);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> unknownFields(v, path + "." + k, out, seen));
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        f.setAccessible(true);
        Object v;
        try {
          v = f.get(o);
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
        if (f.getName().equals("additionalProperties")) {
          if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
            out.add(path + ": " + extra.keySet());
          }
        } else {
          unknownFields(v, path + "." + f.getName(), out, seen);
        }
      }
    }
  }

  /**
   * {@code kubectl kustomize DIR}, else {@code kustomize build DIR}; fails (not skips) without
   * either.
   */
  static String kustomize(Path dir) throws Exception {
    List<String> command;
    Optional<Path> kubectl = onPath("kubectl");
    Optional<Path> kustomize = onPath("kustomize");
    if (kubectl.isPresent()) {
      command = List.of(kubectl.get().toString(), "kustomize", dir.toString());
    } else if (kustomize.isPresent()) {
      command = List.of(kustomize.get().toString(), "build", dir.toString());
    } else {
      fail(
          "neither kubectl nor kustomize is on the PATH: the k8s manifests cannot be rendered."
              + " Install Debian's kubernetes-client (apt-get install kubernetes-client; .ci/run does) or kustomize.");
      return null;
    }
    Path out = Files.createTempFile("kustomize", ".yaml");
    Path err = Files.createTempFile("kustomize", ".err");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail(String.join(" ", command) + " did not finish in 60 s");
      }
      if (p.exitValue() != 0) {
        fail(
            String.join(" ", command)
                + " failed ("
                + p.exitValue()
                + "): "
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      return Files.readString(out, StandardCharsets.UTF_8);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String d : path.split(File.pathSeparator)) {
      Path p = Path.of(d, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> T one(Class<T> type, String name) {
    return all(type).stream()
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError(overlay + ": no " + type.getSimpleName() + " " + name));
  }

  /** A ConfigMap by its rendered name. */
  ConfigMap configMap(String renderedName) {
    return one(ConfigMap.class, renderedName);
  }

  <T extends Custom> List<T> custom(Class<T> type) {
    return custom.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
