package io.vizrelay.app.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.vizrelay.common.cluster.ClusterConfig;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.ingest.IngestHandlers;
import io.vizrelay.taskinfo.TaskinfoConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Kubernetes manifests (k8s/, issue 8) against the code: every overlay renders and parses
 * strictly; every env var they set is one the code reads, and the resulting configuration is
 * accepted by the services' own config parsers; ports, probe paths, the Hazelcast DNS join and the
 * ingress routes match what the services serve; the pods are hardened and roll one at a time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesManifestsTest {
  static final List<String> OVERLAYS = List.of("dev", "prod");
  static final List<String> SERVICES = List.of("ingest", "socket", "taskinfo");
  static final String POD_IP = "10.1.2.3";
  static final String NODE_NAME = "node-1";
  static final String HEADLESS = "vizrelay-hz";

  final Map<String, Manifests> rendered = new LinkedHashMap<>();
  Set<String> keysTheCodeReads;

  @BeforeAll
  void render() throws Exception {
    for (String overlay : OVERLAYS) {
      rendered.put(overlay, Manifests.render(overlay));
    }
    keysTheCodeReads = keysTheCodeReads(Manifests.root());
  }

  /** Every {@code "VIZRELAY_..."} string literal in the main sources of common and the services. */
  static Set<String> keysTheCodeReads(Path root) throws IOException {
    Pattern literal = Pattern.compile("\"(VIZRELAY_[A-Z0-9_]+)\"");
    Set<String> keys = new TreeSet<>();
    for (String module :
        List.of("common", "ingest-service", "socket-service", "taskinfo-service")) {
      try (Stream<Path> files = Files.walk(root.resolve(module).resolve("src/main/java"))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          Matcher m = literal.matcher(Files.readString(f));
          while (m.find()) {
            keys.add(m.group(1));
          }
        }
      }
    }
    return keys;
  }

  @Test
  void everyOverlayRendersOnlyKnownKindsWithTheExpectedObjects() {
    rendered.forEach(
        (overlay, m) -> {
          for (String s : SERVICES) {
            m.one(Deployment.class, "vizrelay-" + s);
            m.one(Service.class, "vizrelay-" + s);
          }
          m.one(Service.class, HEADLESS);
          m.one(HorizontalPodAutoscaler.class, "vizrelay-ingest");
          m.one(HorizontalPodAutoscaler.class, "vizrelay-socket");
          assertFalse(
              m.all(PodDisruptionBudget.class).isEmpty(), overlay + ": no PodDisruptionBudget");
          assertEquals(1, m.all(Namespace.class).size(), overlay + ": one Namespace");
          String namespace = m.all(Namespace.class).get(0).getMetadata().getName();
          for (var o : m.objects) {
            if (!(o instanceof Namespace)) {
              assertEquals(
                  namespace,
                  o.getMetadata().getNamespace(),
                  overlay
                      + ": "
                      + o.getMetadata().getName()
                      + " is not in the overlay's Namespace");
            }
          }
        });
    assertEquals(1, rendered.get("prod").all(Ingress.class).size(), "prod publishes one Ingress");
  }

  @Test
  void theNamespaceEnforcesTheRestrictedPodSecurityProfile() {
    rendered.forEach(
        (overlay, m) -> {
          Map<String, String> labels = m.all(Namespace.class).get(0).getMetadata().getLabels();
          assertEquals("restricted", labels.get("pod-security.kubernetes.io/enforce"), overlay);
          for (Deployment d : m.all(Deployment.class)) {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            String where = overlay + "/" + d.getMetadata().getName();
            // what "restricted" admits (the API server would refuse the pods otherwise)
            assertEquals(
                "RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType(), where);
            assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), where);
            assertTrue(
                pod.getVolumes().stream().allMatch(v -> v.getHostPath() == null),
                where + ": no hostPath");
            for (Container c : pod.getContainers()) {
              assertEquals(
                  Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation(), where);
              assertEquals(
                  List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop(), where);
              assertTrue(
                  c.getSecurityContext().getCapabilities().getAdd() == null
                      || c.getSecurityContext().getCapabilities().getAdd().isEmpty(),
                  where);
              assertTrue(
                  c.getPorts().stream().allMatch(p -> p.getHostPort() == null),
                  where + ": no hostPort");
            }
          }
        });
  }

  @Test
  void anOverlayWithoutAuthenticationPublishesNoIngress() {
    rendered.forEach(
        (overlay, m) -> {
          boolean authEverywhere =
              SERVICES.stream()
                  .allMatch(
                      s ->
                          VizConfig.fromEnv(
                                  env(m, container(m.one(Deployment.class, "vizrelay-" + s))))
                              .auth()
                              .enabled());
          if (!authEverywhere) {
            assertTrue(
                m.all(Ingress.class).isEmpty(),
                overlay + ": an Ingress in front of VIZRELAY_AUTH=none publishes an admin");
          }
        });
    Manifests dev = rendered.get("dev");
    Deployment front = dev.one(Deployment.class, "vizrelay-front");
    Map<String, String> env = env(dev, container(front));
    for (String s : SERVICES) {
      assertEquals(
          "vizrelay-" + s + ":8186",
          env.get("VIZRELAY_PROXY_" + s.toUpperCase()),
          "dev front proxy to " + s);
      dev.one(Service.class, "vizrelay-" + s);
    }
    assertEquals(
        List.of("front"),
        container(front).getArgs(),
        "the image's entrypoint starts the front proxy");
    assertTrue(
        front.getSpec().getTemplate().getMetadata().getLabels().get("app.kubernetes.io/part-of")
            == null,
        "the front proxy must not be selected as a grid member");
  }

  @Test
  void prodServesOneHostWithItsOwnCertificate() {
    Ingress ingress = rendered.get("prod").one(Ingress.class, "vizrelay");
    Set<String> ruleHosts = new TreeSet<>();
    for (IngressRule r : ingress.getSpec().getRules()) {
      assertNotNull(
          r.getHost(),
          "prod: an Ingress rule without host serves every name, with the default certificate");
      ruleHosts.add(r.getHost());
    }
    Set<String> tlsHosts = new TreeSet<>();
    for (IngressTLS tls : ingress.getSpec().getTls()) {
      assertNotNull(tls.getSecretName(), "prod: TLS entry without a Secret");
      assertNotNull(
          tls.getHosts(),
          "prod: a TLS entry without hosts makes the controller serve its default certificate");
      tlsHosts.addAll(tls.getHosts());
    }
    assertEquals(1, ruleHosts.size(), "prod: one host");
    assertEquals(ruleHosts, tlsHosts, "prod: the rule's host and the TLS entry's host");
  }

  @Test
  void theScanFindsTheKeysTheServicesAreKnownToRead() {
    // guards the scan itself: if these vanish, the source layout changed and the check below is
    // vacuous
    assertTrue(
        keysTheCodeReads.containsAll(
            List.of(
                "VIZRELAY_PORT",
                "VIZRELAY_HOST",
                "VIZRELAY_K8S_SERVICE_DNS",
                "VIZRELAY_EVENTBUS_HOST",
                "VIZRELAY_DATA_DIR",
                "VIZRELAY_JWT_HS256_SECRET",
                "VIZRELAY_LOST_CHECK_MS")),
        keysTheCodeReads.toString());
  }

  @Test
  void everyEnvVarTheManifestsSetIsOneTheCodeReads() {
    forEachContainer(
        (overlay, d, c) -> {
          Set<String> names = new TreeSet<>(env(rendered.get(overlay), c).keySet());
          names.removeAll(keysTheCodeReads);
          assertTrue(
              names.isEmpty(),
              overlay + "/" + c.getName() + " sets env vars no code reads: " + names);
          assertEquals(
              Boolean.FALSE,
              d.getSpec().getTemplate().getSpec().getEnableServiceLinks(),
              overlay
                  + "/"
                  + c.getName()
                  + ": service links would inject VIZRELAY_<SERVICE>_PORT=tcp://... variables");
        });
  }

  @Test
  void theRenderedConfigurationIsAcceptedByTheServicesConfigParsers() {
    forEachContainer(
        (overlay, d, c) -> {
          Map<String, String> env = env(rendered.get(overlay), c);
          String where = overlay + "/" + c.getName();
          VizConfig viz = VizConfig.fromEnv(env);
          ClusterConfig cluster = ClusterConfig.fromEnv(env);
          TaskinfoConfig.fromEnv(env);
          assertEquals(ClusterConfig.Join.KUBERNETES, cluster.join(), where);
          assertEquals(
              POD_IP,
              cluster.eventBusHost(),
              where + ": event-bus host must be the pod IP (downward API)");
          assertTrue(cluster.eventBusPort() > 0, where + ": the event-bus port must be fixed");
          assertTrue(viz.auth().enabled() || viz.auth().insecureBind(), where);
          if (overlay.equals("prod")) {
            assertTrue(viz.auth().enabled(), where + ": prod must authenticate");
            assertNotNull(viz.auth().hs256Secret(), where);
            assertTrue(viz.auth().cookieSecure(), where + ": prod is served over TLS");
          }
          if (c.getName().equals("taskinfo")) {
            String dataDir = viz.dataDir().toString();
            assertTrue(
                mountPaths(c).contains(dataDir),
                where + ": VIZRELAY_DATA_DIR " + dataDir + " is not a volume");
          }
        });
  }

  @Test
  void portsAndProbesMatchWhatTheServicesServe() throws IOException {
    String node =
        Files.readString(
                Manifests.root()
                    .resolve("common/src/main/java/io/vizrelay/common/cluster/ClusterNode.java"))
            + Files.readString(
                Manifests.root()
                    .resolve("common/src/main/java/io/vizrelay/common/http/HttpFront.java"));
    forEachContainer(
        (overlay, d, c) -> {
          Map<String, String> env = env(rendered.get(overlay), c);
          VizConfig viz = VizConfig.fromEnv(env);
          ClusterConfig cluster = ClusterConfig.fromEnv(env);
          String where = overlay + "/" + c.getName();
          assertEquals(
              Map.of(
                  "http",
                  viz.port(),
                  "hazelcast",
                  cluster.hzPort(),
                  "eventbus",
                  cluster.eventBusPort()),
              ports(c),
              where
                  + ": container ports vs VIZRELAY_PORT / VIZRELAY_HZ_PORT / VIZRELAY_EVENTBUS_PORT");
          assertProbe(where + " startup", c.getStartupProbe(), "/health", node);
          assertProbe(where + " liveness", c.getLivenessProbe(), "/health", node);
          assertProbe(where + " readiness", c.getReadinessProbe(), "/readiness", node);
          Probe startup = c.getStartupProbe();
          assertTrue(
              startup.getPeriodSeconds() * startup.getFailureThreshold() >= 120,
              where + ": the startup probe must allow a slow cluster join");
          int preStop = preStopSleep(c);
          assertTrue(
              d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()
                  > cluster.drainDelaySeconds() + cluster.shutdownTimeoutSeconds() + preStop,
              where
                  + ": terminationGracePeriodSeconds must exceed VIZRELAY_DRAIN_DELAY_SECONDS + VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS "
                  + "+ the preStop sleep");
        });
    rendered.forEach(
        (overlay, m) -> {
          for (Service svc : m.all(Service.class)) {
            List<Deployment> selected = selectedBy(m, svc.getSpec().getSelector());
            assertFalse(
                selected.isEmpty(),
                overlay + ": Service " + svc.getMetadata().getName() + " selects no pods");
            for (ServicePort p : svc.getSpec().getPorts()) {
              for (Deployment d : selected) {
                String target = p.getTargetPort().getStrVal();
                assertNotNull(
                    target,
                    overlay
                        + ": Service "
                        + svc.getMetadata().getName()
                        + " should target a named port");
                assertTrue(
                    ports(container(d)).containsKey(target),
                    overlay
                        + ": Service "
                        + svc.getMetadata().getName()
                        + " targets port "
                        + target
                        + " absent from "
                        + d.getMetadata().getName());
              }
            }
          }
        });
  }

  @Test
  void theHazelcastHeadlessServiceIsTheDnsJoinTarget() {
    forEachContainer(
        (overlay, d, c) -> {
          Manifests m = rendered.get(overlay);
          ClusterConfig cluster = ClusterConfig.fromEnv(env(m, c));
          String[] labels = cluster.k8sServiceDns().split("\\.");
          Service hz = m.one(Service.class, labels[0]);
          String where =
              overlay + "/" + c.getName() + ": VIZRELAY_K8S_SERVICE_DNS=" + cluster.k8sServiceDns();
          if (labels.length > 1) {
            assertEquals(
                hz.getMetadata().getNamespace(), labels[1], where + " names another namespace");
          }
          assertEquals(
              "None", hz.getSpec().getClusterIP(), where + ": the Service must be headless");
          assertEquals(
              Boolean.TRUE,
              hz.getSpec().getPublishNotReadyAddresses(),
              where
                  + ": not-ready pods must be published, or pods starting together form separate clusters");
          ServicePort port =
              hz.getSpec().getPorts().stream()
                  .filter(p -> p.getPort() == cluster.k8sServicePort())
                  .findFirst()
                  .orElseThrow(
                      () -> new AssertionError(where + ": no port " + cluster.k8sServicePort()));
          assertEquals("hazelcast", port.getTargetPort().getStrVal(), where);
          assertEquals(cluster.hzPort(), cluster.k8sServicePort(), where);
          assertTrue(
              selectedBy(m, hz.getSpec().getSelector()).contains(d),
              where + ": does not select " + d.getMetadata().getName());
          assertEquals(HEADLESS, labels[0], where);
        });
  }

  @Test
  void theIngressSendsEachPathToTheServiceThatServesIt() {
    Map<String, String> expected = new LinkedHashMap<>();
    for (String e : IngestHandlers.ENDPOINTS) {
      expected.put("/" + e, "ingest");
      expected.put("/task/alice-mnist/" + e, "ingest");
    }
    for (String p :
        List.of(
            "/env/main",
            "/task/alice-mnist/env/main",
            "/vis_socket",
            "/task/alice-mnist/vis_socket",
            "/task/alice-mnist",
            "/task/alice-mnist/")) {
      expected.put(p, "ingest");
    }
    for (String p :
        List.of(
            "/",
            "/socket",
            "/task/alice-mnist/socket",
            "/static/index.html",
            "/static/js/app.js",
            "/webjars/plotly.js-dist/3.3.1/plotly.js",
            "/auth/login",
            "/auth/logout",
            "/auth/me",
            "/api/relay/stats")) {
      expected.put(p, "socket");
    }
    for (String p :
        List.of(
            "/api/tasks",
            "/api/tasks/alice-mnist",
            "/api/tasks/alice-mnist/heartbeat",
            "/api/tasks/alice-mnist/shared_with",
            "/api/tasks/alice-mnist/control")) {
      expected.put(p, "taskinfo");
    }
    for (String p : List.of("/health", "/readiness", "/metrics", "/health/cluster", "/metrics/")) {
      expected.put(p, "(none)");
    }
    rendered.forEach(
        (overlay, m) -> {
          if (m.all(Ingress.class).isEmpty()) {
            return;
          }
          Ingress ingress = m.one(Ingress.class, "vizrelay");
          Map<String, String> annotations = ingress.getMetadata().getAnnotations();
          assertEquals("true", annotations.get("nginx.ingress.kubernetes.io/use-regex"), overlay);
          for (String t : List.of("proxy-read-timeout", "proxy-send-timeout")) {
            assertTrue(
                Integer.parseInt(annotations.get("nginx.ingress.kubernetes.io/" + t)) >= 600,
                overlay + ": WebSockets need a long " + t);
          }
          boolean secureCookies =
              SERVICES.stream()
                  .allMatch(
                      s ->
                          VizConfig.fromEnv(
                                  env(m, container(m.one(Deployment.class, "vizrelay-" + s))))
                              .auth()
                              .cookieSecure());
          if (secureCookies) {
            assertFalse(
                ingress.getSpec().getTls() == null || ingress.getSpec().getTls().isEmpty(),
                overlay + ": VIZRELAY_COOKIE_SECURE=true needs TLS at the ingress");
          }
          long bodyLimit =
              nginxSize(annotations.get("nginx.ingress.kubernetes.io/proxy-body-size"));
          for (String s : SERVICES) {
            Container c = container(m.one(Deployment.class, "vizrelay-" + s));
            assertTrue(
                bodyLimit >= VizConfig.fromEnv(env(m, c)).maxBodyBytes(),
                overlay + ": proxy-body-size is below VIZRELAY_MAX_BODY_BYTES");
          }
          List<HTTPIngressPath> paths = new ArrayList<>();
          ingress.getSpec().getRules().forEach(r -> paths.addAll(r.getHttp().getPaths()));
          for (HTTPIngressPath p : paths) {
            assertEquals(
                "ImplementationSpecific", p.getPathType(), overlay + ": regex path " + p.getPath());
            Service svc = m.one(Service.class, p.getBackend().getService().getName());
            String portName = p.getBackend().getService().getPort().getName();
            assertTrue(
                svc.getSpec().getPorts().stream().anyMatch(sp -> sp.getName().equals(portName)),
                overlay + ": " + svc.getMetadata().getName() + " has no port " + portName);
          }
          expected.forEach(
              (path, service) ->
                  assertEquals(
                      service.equals("(none)") ? service : "vizrelay-" + service,
                      route(paths, path),
                      overlay + ": ingress route of " + path));
        });
  }

  /**
   * ingress-nginx with use-regex: case-insensitive regex locations anchored at the start, longest
   * path first.
   */
  static String route(List<HTTPIngressPath> paths, String path) {
    return paths.stream()
        .sorted(Comparator.comparingInt((HTTPIngressPath p) -> p.getPath().length()).reversed())
        .filter(
            p -> Pattern.compile(p.getPath(), Pattern.CASE_INSENSITIVE).matcher(path).lookingAt())
        .map(p -> p.getBackend().getService().getName())
        .findFirst()
        .orElse("(none)");
  }

  @Test
  void podsRunNonRootOnAReadOnlyRootWithoutCapabilities() {
    forEachContainer(
        (overlay, d, c) -> {
          String where = overlay + "/" + c.getName();
          PodSpec pod = d.getSpec().getTemplate().getSpec();
          assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), where);
          assertTrue(pod.getSecurityContext().getRunAsUser() > 0, where);
          SecurityContext sc = c.getSecurityContext();
          assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), where);
          assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), where);
          assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), where);
          assertTrue(
              mountPaths(c).contains("/tmp"),
              where + ": the JVM and native libraries need a writable /tmp");
          for (String r : List.of("cpu", "memory")) {
            assertNotNull(c.getResources().getRequests().get(r), where + ": no " + r + " request");
            assertNotNull(c.getResources().getLimits().get(r), where + ": no " + r + " limit");
          }
          assertTrue(
              Quantity.getAmountInBytes(c.getResources().getLimits().get("memory"))
                      .compareTo(
                          Quantity.getAmountInBytes(c.getResources().getRequests().get("memory")))
                  >= 0,
              where);
          assertTrue(
              SERVICES.contains(c.getArgs().get(0)), where + ": args select the service jar");
          assertFalse(
              c.getImage().equals("vizrelay"), where + ": the overlay's images: did not apply");
          assertFalse(pod.getTopologySpreadConstraints().isEmpty(), where + ": no topology spread");
        });
  }

  @Test
  void rolloutsAndDisruptionsTakeOneMemberAtATime() {
    Map<String, Map<String, Integer>> replicas =
        Map.of(
            "dev", Map.of("taskinfo", 1),
            "prod", Map.of("taskinfo", 2));
    rendered.forEach(
        (overlay, m) -> {
          for (String s : SERVICES) {
            Deployment d = m.one(Deployment.class, "vizrelay-" + s);
            String where = overlay + "/" + s;
            boolean autoscaled =
                m.all(HorizontalPodAutoscaler.class).stream()
                    .anyMatch(
                        h ->
                            h.getSpec()
                                .getScaleTargetRef()
                                .getName()
                                .equals(d.getMetadata().getName()));
            if (autoscaled) {
              assertEquals(
                  null,
                  d.getSpec().getReplicas(),
                  where + ": replicas next to an HPA resets its count on every apply");
            } else {
              assertEquals(
                  replicas.get(overlay).get(s), d.getSpec().getReplicas(), where + " replicas");
            }
            var rolling = d.getSpec().getStrategy().getRollingUpdate();
            assertEquals("RollingUpdate", d.getSpec().getStrategy().getType(), where);
            assertEquals(1, rolling.getMaxSurge().getIntVal(), where + " maxSurge");
            assertEquals(0, rolling.getMaxUnavailable().getIntVal(), where + " maxUnavailable");
            List<PodDisruptionBudget> budgets =
                m.all(PodDisruptionBudget.class).stream()
                    .filter(
                        b ->
                            matches(
                                b.getSpec().getSelector().getMatchLabels(),
                                d.getSpec().getTemplate().getMetadata().getLabels()))
                    .toList();
            assertEquals(
                1,
                budgets.size(),
                where
                    + ": exactly one PodDisruptionBudget per pod (the eviction API refuses more)");
            assertEquals(1, budgets.get(0).getSpec().getMaxUnavailable().getIntVal(), where);
          }
          for (String s : List.of("ingest", "socket")) {
            HorizontalPodAutoscaler hpa = m.one(HorizontalPodAutoscaler.class, "vizrelay-" + s);
            String where = overlay + "/hpa " + s;
            assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind(), where);
            m.one(Deployment.class, hpa.getSpec().getScaleTargetRef().getName());
            assertTrue(hpa.getSpec().getMinReplicas() >= 1, where);
            assertTrue(hpa.getSpec().getMaxReplicas() >= hpa.getSpec().getMinReplicas(), where);
            assertTrue(
                hpa.getSpec().getMetrics().stream()
                    .anyMatch(
                        x -> x.getResource() != null && x.getResource().getName().equals("cpu")),
                where + ": scales on CPU");
            assertEquals(
                1,
                hpa.getSpec().getBehavior().getScaleUp().getPolicies().get(0).getValue(),
                where + ": one pod at a time");
            assertEquals(
                1,
                hpa.getSpec().getBehavior().getScaleDown().getPolicies().get(0).getValue(),
                where + ": one pod at a time");
          }
        });
    assertEquals(
        Map.of("ingest", 3, "socket", 3),
        Map.of(
            "ingest",
                rendered
                    .get("prod")
                    .one(HorizontalPodAutoscaler.class, "vizrelay-ingest")
                    .getSpec()
                    .getMinReplicas(),
            "socket",
                rendered
                    .get("prod")
                    .one(HorizontalPodAutoscaler.class, "vizrelay-socket")
                    .getSpec()
                    .getMinReplicas()),
        "prod's minimum scale");
  }

  /**
   * Fewest and most grid members an overlay runs: HPA bounds where an HPA manages, else replicas.
   */
  static int[] memberBounds(Manifests m) {
    int min = 0;
    int max = 0;
    for (String s : SERVICES) {
      Deployment d = m.one(Deployment.class, "vizrelay-" + s);
      HorizontalPodAutoscaler hpa =
          m.all(HorizontalPodAutoscaler.class).stream()
              .filter(
                  h -> h.getSpec().getScaleTargetRef().getName().equals(d.getMetadata().getName()))
              .findFirst()
              .orElse(null);
      if (hpa != null) {
        min += hpa.getSpec().getMinReplicas();
        max += hpa.getSpec().getMaxReplicas();
      } else {
        int n = Objects.requireNonNullElse(d.getSpec().getReplicas(), 1);
        min += n;
        max += n;
      }
    }
    return new int[] {min, max};
  }

  @Test
  void theSplitBrainQuorumIsAMajorityOfTheMostMembersAndSurvivesOneLossAtTheFewest() {
    rendered.forEach(
        (overlay, m) -> {
          int[] bounds = memberBounds(m);
          ClusterConfig cluster =
              ClusterConfig.fromEnv(env(m, container(m.one(Deployment.class, "vizrelay-ingest"))));
          int quorum = cluster.minClusterSize();
          String where =
              overlay
                  + ": VIZRELAY_HZ_MIN_CLUSTER_SIZE="
                  + quorum
                  + " with "
                  + bounds[0]
                  + ".."
                  + bounds[1]
                  + " members";
          if (overlay.equals("prod")) {
            assertTrue(quorum > 1, where + ": prod needs split-brain protection");
          }
          if (quorum > 1) {
            assertTrue(
                2 * quorum > bounds[1],
                where
                    + ": not a majority at the HPAs' maximum, two sides of a split could both write");
            int budget =
                m.all(PodDisruptionBudget.class).get(0).getSpec().getMaxUnavailable().getIntVal();
            assertTrue(
                quorum <= bounds[0] - budget,
                where + ": one disruption at the minimum scale would stop every write");
          }
        });
    assertEquals(
        8,
        memberBounds(rendered.get("prod"))[0],
        "prod's fewest members (docs/METRICS.md VizrelayClusterMembersLow)");
  }

  @Test
  void aConfigMapChangeRollsNoDeploymentByItself() {
    forEachContainer(
        (overlay, d, c) -> {
          for (EnvFromSource from : c.getEnvFrom()) {
            assertEquals(
                "vizrelay-config",
                from.getConfigMapRef().getName(),
                overlay
                    + "/"
                    + c.getName()
                    + ": a content-hashed ConfigMap name rolls every Deployment at once on any change");
          }
        });
  }

  @Test
  void backupsAreKeptOnAnotherNodeThanTheirPrimaries() {
    forEachContainer(
        (overlay, d, c) -> {
          var group = ClusterConfig.fromEnv(env(rendered.get(overlay), c)).partitionGroup();
          if (overlay.equals("prod")) {
            assertEquals(
                io.vizrelay.common.cluster.PartitionGroup.Type.NODE,
                group.type(),
                overlay + "/" + c.getName());
            assertEquals(
                NODE_NAME,
                group.group(),
                overlay + "/" + c.getName() + ": the node name from spec.nodeName");
          }
        });
  }

  @Test
  void browserSocketsArePingedWellInsideTheIngressReadTimeout() {
    forEachContainer(
        (overlay, d, c) -> {
          int ping =
              Integer.parseInt(
                  env(rendered.get(overlay), c).getOrDefault("VIZRELAY_WS_PING_SECONDS", "25"));
          assertTrue(
              ping > 0 && ping < 60,
              overlay
                  + "/"
                  + c.getName()
                  + ": pings every "
                  + ping
                  + " s, under the 60 s idle timeouts of common proxies");
          for (Ingress i : rendered.get(overlay).all(Ingress.class)) {
            int timeout =
                Integer.parseInt(
                    i.getMetadata()
                        .getAnnotations()
                        .get("nginx.ingress.kubernetes.io/proxy-read-timeout"));
            assertTrue(ping * 2 < timeout, overlay + ": ping interval vs proxy-read-timeout");
          }
        });
  }

  @Test
  void theDockerfileBuildsAndExecsTheJarsTheManifestsStart() throws IOException {
    Path root = Manifests.root();
    String dockerfile = Files.readString(root.resolve("Dockerfile"));
    assertTrue(
        dockerfile.contains("exec java"),
        "the entrypoint must exec java so SIGTERM reaches the JVM");
    assertTrue(
        dockerfile.contains("USER 10001"),
        "the image must run as the non-root user the pods expect");
    for (String s : SERVICES) {
      assertTrue(
          Files.readString(root.resolve(s + "-service/pom.xml")).contains("vizrelay-" + s),
          s + "-service/pom.xml no longer builds vizrelay-" + s + ".jar");
      assertTrue(
          dockerfile.contains(s + "-service/target/vizrelay-" + s + ".jar"),
          "Dockerfile does not copy " + s);
    }
  }

  // --- helpers ---

  interface ContainerCheck {
    void check(String overlay, Deployment d, Container c);
  }

  /** Every container of the three services' Deployments (not dev's front proxy). */
  void forEachContainer(ContainerCheck check) {
    rendered.forEach(
        (overlay, m) -> {
          for (Deployment d : m.all(Deployment.class)) {
            if (!SERVICES.contains(d.getMetadata().getName().replace("vizrelay-", ""))) {
              continue;
            }
            for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
              check.check(overlay, d, c);
            }
          }
        });
  }

  static Container container(Deployment d) {
    List<Container> cs = d.getSpec().getTemplate().getSpec().getContainers();
    assertEquals(1, cs.size(), d.getMetadata().getName());
    return cs.get(0);
  }

  /**
   * The environment the container gets: envFrom ConfigMaps (must exist in the render), then env;
   * the pod IP and Secret values stand in as {@link #POD_IP} and a 40-byte secret.
   */
  static Map<String, String> env(Manifests m, Container c) {
    Map<String, String> env = new HashMap<>();
    for (EnvFromSource from : c.getEnvFrom() == null ? List.<EnvFromSource>of() : c.getEnvFrom()) {
      if (from.getConfigMapRef() == null || from.getPrefix() != null) {
        fail(m.overlay + "/" + c.getName() + ": only plain configMapRef envFrom is expected");
      }
      ConfigMap cm = m.configMap(from.getConfigMapRef().getName());
      env.putAll(cm.getData());
    }
    for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
      String value;
      if (e.getValueFrom() == null) {
        value = e.getValue();
      } else if (e.getValueFrom().getFieldRef() != null) {
        String field = e.getValueFrom().getFieldRef().getFieldPath();
        value =
            switch (field) {
              case "status.podIP" -> POD_IP;
              case "spec.nodeName" -> NODE_NAME;
              default -> fail(e.getName() + ": unexpected fieldRef " + field);
            };
      } else if (e.getValueFrom().getSecretKeyRef() != null) {
        value = "s".repeat(40);
      } else {
        fail(m.overlay + "/" + c.getName() + ": unexpected valueFrom of " + e.getName());
        return env;
      }
      env.put(e.getName(), value);
    }
    return env;
  }

  static Map<String, Integer> ports(Container c) {
    Map<String, Integer> ports = new HashMap<>();
    for (ContainerPort p : c.getPorts()) {
      ports.put(p.getName(), p.getContainerPort());
    }
    return ports;
  }

  static Set<String> mountPaths(Container c) {
    Set<String> paths = new TreeSet<>();
    for (VolumeMount v : c.getVolumeMounts()) {
      paths.add(v.getMountPath());
    }
    return paths;
  }

  static void assertProbe(String where, Probe probe, String path, String clusterNodeSource) {
    assertNotNull(probe, where + " probe missing");
    HTTPGetAction get = probe.getHttpGet();
    assertNotNull(get, where + " should be an HTTP GET");
    assertEquals(path, get.getPath(), where);
    assertEquals("http", get.getPort().getStrVal(), where + ": probes use the named HTTP port");
    assertTrue(
        clusterNodeSource.replaceAll("\\s+", "").contains("router.get(\"" + path + "\")"),
        "ClusterNode no longer serves GET " + path);
  }

  static int preStopSleep(Container c) {
    List<String> cmd = c.getLifecycle().getPreStop().getExec().getCommand();
    assertEquals("sleep", cmd.get(0), c.getName());
    return Integer.parseInt(cmd.get(1));
  }

  static List<Deployment> selectedBy(Manifests m, Map<String, String> selector) {
    return m.all(Deployment.class).stream()
        .filter(d -> matches(selector, d.getSpec().getTemplate().getMetadata().getLabels()))
        .toList();
  }

  static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return selector != null
        && !selector.isEmpty()
        && labels.entrySet().containsAll(selector.entrySet());
  }

  /** nginx sizes: bytes, or k/m/g suffixes (powers of 1024). */
  static long nginxSize(String v) {
    assertNotNull(v, "proxy-body-size");
    char unit = Character.toLowerCase(v.charAt(v.length() - 1));
    long mult =
        switch (unit) {
          case 'k' -> 1024L;
          case 'm' -> 1024L * 1024;
          case 'g' -> 1024L * 1024 * 1024;
          default -> 1;
        };
    return Long.parseLong(mult == 1 ? v : v.substring(0, v.length() - 1)) * mult;
  }
}
