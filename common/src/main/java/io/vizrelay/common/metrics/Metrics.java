package io.vizrelay.common.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vizrelay.common.error.ErrorCode;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The process's Prometheus registry (docs/METRICS.md): made once per process ({@link #create}),
 * given to the Vert.x it builds ({@link #vertxBuilder}: Vert.x's own HTTP / event-bus / JVM meters)
 * and installed on that Vert.x ({@link #install}), where every component of the node finds it
 * ({@link #of}). Every vizrelay meter is named {@code vizrelay_*}; labels are small closed sets
 * (error code, reason, endpoint), never a task id, session id or path.
 */
public final class Metrics implements Shareable {
  private static final String LOCAL_MAP = "vizrelay.metrics";
  private static final String KEY = "metrics";
  private static final String ERRORS = "vizrelay.errors";
  private static final String ERRORS_HELP = "error responses, by error code (docs/PROTOCOL.md)";

  private final PrometheusMeterRegistry registry;

  /**
   * Vert.x's backend registries are keyed by name in a static map: one name per instance keeps two
   * servers in one JVM (tests) apart.
   */
  private final String registryName = "vizrelay-" + UUID.randomUUID();

  private HttpMetrics http;

  private Metrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  /** A new registry (one per process; tests make one per server). */
  public static Metrics create() {
    Metrics m = new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    for (ErrorCode code : ErrorCode.values()) { // every code from 0, so rate() sees the first error
      m.counter(ERRORS, ERRORS_HELP, "code", code.name());
    }
    return m;
  }

  /** Counts an error response ({@code vizrelay_errors_total{code}}). */
  public void error(ErrorCode code) {
    counter(ERRORS, ERRORS_HELP, "code", code.name()).increment();
  }

  /**
   * {@code vizrelay_cluster_members}: the members this node sees (1 when embedded); 0 once the node
   * has left the cluster.
   */
  public void clusterMembers(Supplier<Integer> members) {
    gauge(
        "vizrelay.cluster.members",
        "cluster members this node sees (1 when embedded)",
        () -> {
          try {
            return members.get();
          } catch (RuntimeException leftTheCluster) {
            return 0;
          }
        });
  }

  /**
   * The registry installed on {@code vertx}; when the process installed none (a Vert.x built
   * without {@link #vertxBuilder}), one is made and installed, holding the vizrelay meters only.
   */
  public static Metrics of(Vertx vertx) {
    LocalMap<String, Metrics> map = vertx.sharedData().getLocalMap(LOCAL_MAP);
    Metrics m = map.get(KEY);
    if (m != null) {
      return m;
    }
    Metrics fresh = create();
    Metrics raced = map.putIfAbsent(KEY, fresh);
    return raced != null ? raced : fresh;
  }

  /** Makes this the registry every component deployed on {@code vertx} uses. */
  public Metrics install(Vertx vertx) {
    LocalMap<String, Metrics> map = vertx.sharedData().getLocalMap(LOCAL_MAP);
    Metrics previous = map.putIfAbsent(KEY, this);
    if (previous != null && previous != this) {
      throw new IllegalStateException(
          "another metrics registry is already installed on this Vert.x");
    }
    return this;
  }

  /** Vert.x's own meters (HTTP server and client, event bus, pools, JVM) in this registry. */
  public MicrometerMetricsOptions vertxMetricsOptions() {
    MicrometerMetricsOptions options =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setRegistryName(registryName)
            .setJvmMetricsEnabled(true)
            .setPrometheusOptions(
                new VertxPrometheusOptions().setEnabled(true).setStartEmbeddedServer(false));
    // HTTP server meters are ours (HttpMetrics): Vert.x's look their timer up on every request.
    // The event bus's look up theirs on every message (1 to 2 % of the event loop per ingested
    // frame, published once per delta); the relay's own meters count what reaches browsers.
    options.addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER);
    options.addDisabledMetricsCategory(MetricsDomain.EVENT_BUS);
    return options;
  }

  /** A Vert.x builder whose Vert.x reports into this registry; {@link #install} the result. */
  public VertxBuilder vertxBuilder(VertxOptions options) {
    return Vertx.builder()
        .with(options.setMetricsOptions(vertxMetricsOptions()))
        .withMetrics(new MicrometerMetricsFactory(registry));
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * The HTTP server meters of this process: mount first on every router, count every server's
   * connections.
   */
  public synchronized HttpMetrics http() {
    if (http == null) {
      http = new HttpMetrics(registry);
    }
    return http;
  }

  /** {@code GET /metrics}: the Prometheus text format. */
  public Handler<RoutingContext> scrapeHandler() {
    return PrometheusScrapingHandler.create(registry);
  }

  /** A counter; {@code tags} are name/value pairs from a small closed set. */
  public Counter counter(String name, String description, String... tags) {
    return Counter.builder(name).description(description).tags(tags).register(registry);
  }

  /**
   * A gauge sampled at scrape time from {@code source} (held weakly by Micrometer: keep a
   * reference).
   */
  public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value) {
    Gauge.builder(name, source, value)
        .description(description)
        .strongReference(true)
        .register(registry);
  }

  /** A gauge sampled at scrape time. */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).strongReference(true).register(registry);
  }

  /**
   * A latency timer exported as a Prometheus histogram ({@code _bucket}, {@code _sum}, {@code
   * _count}).
   */
  public Timer histogram(String name, String description) {
    return Timer.builder(name)
        .description(description)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(50_000))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
  }
}
