package io.vizrelay.app.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * components/monitoring: prod's PodMonitor scrapes every grid pod's /metrics on the port the
 * services serve it, its PrometheusRule carries exactly the alerts docs/METRICS.md describes, and
 * an overlay without the component (dev) renders without the operator's kinds.
 */
class MonitoringComponentTest {

  @Test
  void prodScrapesEveryGridPodsMetrics() throws Exception {
    Manifests prod = Manifests.render("prod");
    List<Manifests.PodMonitor> monitors = prod.custom(Manifests.PodMonitor.class);
    assertEquals(1, monitors.size());
    Manifests.PodMonitor pm = monitors.get(0);
    assertEquals("vizrelay", pm.metadata().namespace(), "in the overlay's namespace");
    for (String s : KubernetesManifestsTest.SERVICES) {
      Deployment d = prod.one(Deployment.class, "vizrelay-" + s);
      assertTrue(
          KubernetesManifestsTest.matches(
              pm.spec().selector().matchLabels(),
              d.getSpec().getTemplate().getMetadata().getLabels()),
          "the PodMonitor does not select " + s);
      for (Manifests.PodMetricsEndpoint e : pm.spec().podMetricsEndpoints()) {
        assertEquals("/metrics", e.path());
        assertTrue(
            KubernetesManifestsTest.ports(KubernetesManifestsTest.container(d))
                .containsKey(e.port()),
            "PodMonitor port " + e.port() + " is not a port of " + s);
      }
    }
  }

  @Test
  void theAlertsAreThoseDocsMetricsDescribes() throws Exception {
    String md = Files.readString(Manifests.root().resolve("docs/METRICS.md"));
    int section = md.indexOf("## Suggested alerts");
    assertTrue(section >= 0, "docs/METRICS.md has no 'Suggested alerts'");
    int start = md.indexOf("```yaml", section) + "```yaml".length();
    String yaml = md.substring(start, md.indexOf("```", start));
    Manifests.RuleSpec documented =
        new ObjectMapper(new YAMLFactory()).readValue(yaml, Manifests.RuleSpec.class);
    List<Manifests.PrometheusRule> rules =
        Manifests.render("prod").custom(Manifests.PrometheusRule.class);
    assertEquals(1, rules.size());
    assertFalse(documented.groups().get(0).rules().isEmpty());
    assertEquals(
        documented,
        rules.get(0).spec(),
        "components/monitoring/prometheusrule.yaml vs docs/METRICS.md");
  }

  @Test
  void anOverlayWithoutTheComponentHasNoOperatorKinds() throws Exception {
    assertTrue(Manifests.render("dev").custom.isEmpty(), "dev leaves the monitoring component out");
  }
}
