package io.vizrelay.app.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The grid's NetworkPolicies, evaluated as the API defines them (a connection needs an egress allow
 * on the source and an ingress allow on the destination, where policies select the pod; rules are a
 * union) against the rendered pods and some pods that must stay out: Hazelcast and the event bus
 * only between vizrelay pods, HTTP only from the ingress controller's and the monitoring namespace,
 * nothing else in or out but DNS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NetworkPoliciesTest {
  /** A pod as NetworkPolicies see it: its namespace's labels, its own labels and named ports. */
  record Pod(
      String name,
      String namespace,
      Map<String, String> namespaceLabels,
      Map<String, String> labels,
      Map<String, Integer> ports) {}

  final Map<String, Manifests> rendered = new LinkedHashMap<>();

  @BeforeAll
  void render() throws Exception {
    for (String overlay : KubernetesManifestsTest.OVERLAYS) {
      rendered.put(overlay, Manifests.render(overlay));
    }
  }

  static Pod outside(String name, String namespace, Map<String, String> labels, int port) {
    return new Pod(
        name,
        namespace,
        Map.of("kubernetes.io/metadata.name", namespace),
        labels,
        Map.of("p", port));
  }

  static Pod pod(Manifests m, Deployment d) {
    Namespace ns = m.all(Namespace.class).get(0);
    Map<String, String> nsLabels = new HashMap<>(ns.getMetadata().getLabels());
    nsLabels.put(
        "kubernetes.io/metadata.name", ns.getMetadata().getName()); // set by the API server
    Map<String, Integer> ports = new HashMap<>();
    for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
      for (ContainerPort p : c.getPorts()) {
        ports.put(p.getName(), p.getContainerPort());
      }
    }
    return new Pod(
        d.getMetadata().getName(),
        ns.getMetadata().getName(),
        nsLabels,
        d.getSpec().getTemplate().getMetadata().getLabels(),
        ports);
  }

  static List<Pod> grid(Manifests m) {
    return KubernetesManifestsTest.SERVICES.stream()
        .map(s -> pod(m, m.one(Deployment.class, "vizrelay-" + s)))
        .toList();
  }

  @Test
  void everyGridPodIsIsolatedForIngressAndEgress() {
    rendered.forEach(
        (overlay, m) -> {
          for (Pod p : grid(m)) {
            assertFalse(
                selecting(m, p, "Ingress").isEmpty(),
                overlay + "/" + p.name() + ": no ingress isolation");
            assertFalse(
                selecting(m, p, "Egress").isEmpty(),
                overlay + "/" + p.name() + ": no egress isolation");
          }
        });
  }

  @Test
  void hazelcastAndTheEventBusOnlyBetweenVizrelayPods() {
    rendered.forEach(
        (overlay, m) -> {
          List<Pod> grid = grid(m);
          String ns = grid.get(0).namespace();
          List<Pod> strangers =
              List.of(
                  outside("same-namespace", ns, Map.of("app", "other"), 5701),
                  outside(
                      "ingress-controller",
                      "ingress-nginx",
                      Map.of("app.kubernetes.io/name", "ingress-nginx"),
                      443),
                  outside(
                      "prometheus",
                      "monitoring",
                      Map.of("app.kubernetes.io/name", "prometheus"),
                      9090),
                  outside("elsewhere", "default", Map.of("app", "x"), 80));
          for (Pod to : grid) {
            for (String port : List.of("hazelcast", "eventbus")) {
              int number = to.ports().get(port);
              for (Pod from : grid) {
                assertTrue(
                    allowed(m, from, to, number, "TCP"),
                    overlay + ": " + from.name() + " -> " + to.name() + ":" + port);
              }
              for (Pod from : strangers) {
                assertFalse(
                    allowed(m, from, to, number, "TCP"),
                    overlay + ": " + from.name() + " reaches " + to.name() + ":" + port);
              }
            }
          }
          if (overlay.equals("dev")) {
            Pod front = pod(m, m.one(Deployment.class, "vizrelay-front"));
            for (Pod to : grid) {
              assertTrue(
                  allowed(m, front, to, to.ports().get("http"), "TCP"),
                  "dev: front proxy -> " + to.name() + " http");
              assertFalse(
                  allowed(m, front, to, to.ports().get("hazelcast"), "TCP"),
                  "dev: front proxy reaches the grid");
            }
          }
        });
  }

  @Test
  void httpOnlyFromTheIngressControllerAndMonitoringNamespaces() {
    rendered.forEach(
        (overlay, m) -> {
          List<Pod> grid = grid(m);
          String ns = grid.get(0).namespace();
          for (Pod to : grid) {
            int http = to.ports().get("http");
            assertTrue(
                allowed(
                    m,
                    outside(
                        "nginx",
                        "ingress-nginx",
                        Map.of("app.kubernetes.io/name", "ingress-nginx"),
                        443),
                    to,
                    http,
                    "TCP"),
                overlay + ": ingress controller -> " + to.name());
            assertTrue(
                allowed(
                    m,
                    outside(
                        "prometheus",
                        "monitoring",
                        Map.of("app.kubernetes.io/name", "prometheus"),
                        9090),
                    to,
                    http,
                    "TCP"),
                overlay + ": Prometheus -> " + to.name());
            assertFalse(
                allowed(
                    m, outside("same-namespace", ns, Map.of("app", "other"), 80), to, http, "TCP"),
                overlay + ": any pod of the namespace reaches " + to.name() + " http");
            assertFalse(
                allowed(
                    m, outside("elsewhere", "default", Map.of("app", "x"), 80), to, http, "TCP"),
                overlay + ": a pod of another namespace reaches " + to.name() + " http");
            assertFalse(
                allowed(
                    m,
                    outside("nginx", "ingress-nginx", Map.of(), 443),
                    to,
                    to.ports().get("hazelcast"),
                    "TCP"),
                overlay + ": the ingress controller reaches the grid port");
          }
        });
  }

  @Test
  void gridPodsReachTheClusterDnsAndNothingOutside() {
    rendered.forEach(
        (overlay, m) -> {
          Pod dns = outside("coredns", "kube-system", Map.of("k8s-app", "kube-dns"), 53);
          Pod web = outside("web", "default", Map.of("app", "web"), 443);
          for (Pod from : grid(m)) {
            assertTrue(
                egressAllowed(m, from, dns, 53, "UDP"), overlay + ": " + from.name() + " -> DNS");
            assertTrue(
                egressAllowed(m, from, dns, 53, "TCP"),
                overlay + ": " + from.name() + " -> DNS over TCP");
            assertFalse(
                egressAllowed(m, from, web, 443, "TCP"),
                overlay + ": " + from.name() + " reaches any address");
          }
        });
  }

  /**
   * The grid pods reach their PostgreSQL on 5432 and on no other port: dev's own StatefulSet pod,
   * prod's operator-run database namespace; and no database elsewhere.
   */
  @Test
  void gridPodsReachTheirPostgresqlOnItsPortOnly() {
    rendered.forEach(
        (overlay, m) -> {
          Pod db =
              overlay.equals("dev")
                  ? new Pod(
                      "vizrelay-postgresql",
                      m.all(Namespace.class).get(0).getMetadata().getName(),
                      m.all(Namespace.class).get(0).getMetadata().getLabels(),
                      Map.of("app.kubernetes.io/name", "vizrelay-postgresql"),
                      Map.of("postgresql", 5432))
                  : outside("pg", "postgresql", Map.of("cnpg.io/cluster", "vizrelay"), 5432);
          Pod elsewhere = outside("pg", "default", Map.of("app", "postgresql"), 5432);
          for (Pod from : grid(m)) {
            assertTrue(
                egressAllowed(m, from, db, 5432, "TCP"),
                overlay + ": " + from.name() + " -> PostgreSQL");
            assertFalse(
                egressAllowed(m, from, db, 22, "TCP"),
                overlay + ": " + from.name() + " reaches the database host on another port");
            assertFalse(
                egressAllowed(m, from, elsewhere, 5432, "TCP"),
                overlay + ": " + from.name() + " reaches any PostgreSQL");
          }
        });
  }

  @Test
  void everyPortAPolicyNamesIsAPortOfThePodsItSelects() {
    rendered.forEach(
        (overlay, m) -> {
          for (NetworkPolicy np : m.all(NetworkPolicy.class)) {
            List<Pod> selected =
                m.all(Deployment.class).stream()
                    .map(d -> pod(m, d))
                    .filter(p -> selects(np.getSpec().getPodSelector(), p.labels()))
                    .toList();
            assertFalse(
                selected.isEmpty(),
                overlay + ": NetworkPolicy " + np.getMetadata().getName() + " selects no pod");
            if (np.getSpec().getIngress() != null) {
              np.getSpec()
                  .getIngress()
                  .forEach(
                      r ->
                          portsNamed(r.getPorts())
                              .forEach(
                                  name ->
                                      selected.forEach(
                                          p ->
                                              assertTrue(
                                                  p.ports().containsKey(name),
                                                  overlay
                                                      + ": "
                                                      + np.getMetadata().getName()
                                                      + " names port "
                                                      + name
                                                      + " absent from "
                                                      + p.name()))));
            }
          }
        });
  }

  // --- the NetworkPolicy semantics ---

  boolean allowed(Manifests m, Pod from, Pod to, int port, String protocol) {
    return egressAllowed(m, from, to, port, protocol)
        && ingressAllowed(m, from, to, port, protocol);
  }

  static List<NetworkPolicy> selecting(Manifests m, Pod pod, String type) {
    return m.all(NetworkPolicy.class).stream()
        .filter(np -> np.getMetadata().getNamespace().equals(pod.namespace()))
        .filter(np -> np.getSpec().getPolicyTypes().contains(type))
        .filter(np -> selects(np.getSpec().getPodSelector(), pod.labels()))
        .toList();
  }

  static boolean ingressAllowed(Manifests m, Pod from, Pod to, int port, String protocol) {
    List<NetworkPolicy> policies = selecting(m, to, "Ingress");
    if (policies.isEmpty()) {
      return true;
    }
    return policies.stream()
        .anyMatch(
            np ->
                np.getSpec().getIngress() != null
                    && np.getSpec().getIngress().stream()
                        .anyMatch(
                            r ->
                                peers(r.getFrom(), np.getMetadata().getNamespace(), from)
                                    && ports(r.getPorts(), to, port, protocol)));
  }

  static boolean egressAllowed(Manifests m, Pod from, Pod to, int port, String protocol) {
    List<NetworkPolicy> policies = selecting(m, from, "Egress");
    if (policies.isEmpty()) {
      return true;
    }
    return policies.stream()
        .anyMatch(
            np ->
                np.getSpec().getEgress() != null
                    && np.getSpec().getEgress().stream()
                        .anyMatch(
                            r ->
                                peers(r.getTo(), np.getMetadata().getNamespace(), to)
                                    && ports(r.getPorts(), to, port, protocol)));
  }

  static boolean peers(List<NetworkPolicyPeer> peers, String policyNamespace, Pod pod) {
    if (peers == null || peers.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPeer peer : peers) {
      if (peer.getIpBlock() != null) {
        fail("ipBlock peers are not expected in the grid's policies");
      }
      boolean namespaceOk =
          peer.getNamespaceSelector() == null
              ? pod.namespace().equals(policyNamespace)
              : selects(peer.getNamespaceSelector(), pod.namespaceLabels());
      boolean podOk = peer.getPodSelector() == null || selects(peer.getPodSelector(), pod.labels());
      if (namespaceOk && podOk) {
        return true;
      }
    }
    return false;
  }

  static boolean ports(List<NetworkPolicyPort> ports, Pod destination, int port, String protocol) {
    if (ports == null || ports.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPort p : ports) {
      String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
      if (!proto.equals(protocol)) {
        continue;
      }
      if (p.getPort() == null) {
        return true;
      }
      Integer number =
          p.getPort().getIntVal() != null
              ? p.getPort().getIntVal()
              : destination.ports().get(p.getPort().getStrVal());
      if (number != null && number == port) {
        return true;
      }
    }
    return false;
  }

  static List<String> portsNamed(List<NetworkPolicyPort> ports) {
    return ports == null
        ? List.of()
        : ports.stream()
            .filter(p -> p.getPort() != null && p.getPort().getStrVal() != null)
            .map(p -> p.getPort().getStrVal())
            .toList();
  }

  static boolean selects(LabelSelector selector, Map<String, String> labels) {
    assertEquals(
        null,
        selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty()
            ? null
            : "set",
        "matchExpressions are not modelled here");
    Map<String, String> want =
        selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
    return labels.entrySet().containsAll(want.entrySet());
  }
}
