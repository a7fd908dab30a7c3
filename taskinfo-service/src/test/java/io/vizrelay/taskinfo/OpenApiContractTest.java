package io.vizrelay.taskinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vizrelay.common.auth.AuthGate;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskKind;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.model.TaskStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** docs/openapi-taskinfo.yaml describes exactly the routes and shapes the service serves. */
@ExtendWith(VertxExtension.class)
class OpenApiContractTest {
  private static final Path SPEC = Path.of("..", "docs", "openapi-taskinfo.yaml");
  private static final Set<String> OPERATIONS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options");
  private static JsonNode spec;

  @TempDir Path dir;

  @BeforeAll
  static void parse() throws Exception {
    spec = new ObjectMapper(new YAMLFactory()).readTree(SPEC.toFile());
  }

  @Test
  void describesOpenApi3() {
    assertTrue(spec.path("openapi").asText().startsWith("3.0"));
  }

  @Test
  void everyDocumentedOperationIsServedAndViceVersa(Vertx vertx) {
    Harness h = Harness.start(vertx, dir);
    try {
      assertEquals(documentedOperations("taskinfo"), servedOperations(h.router.getRoutes()));
    } finally {
      h.close();
    }
  }

  /** The sign-in and revocation operations are those {@link AuthGate#mountLogin} serves. */
  @Test
  void theAuthOperationsAreTheSocketServicesSignInRoutes(Vertx vertx) throws Exception {
    Harness h = Harness.start(vertx, dir);
    try {
      AuthGate gate =
          AuthGate.forProcess(vertx, h.config)
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      Router login = Router.router(vertx);
      gate.mountLogin(login);
      Set<String> documented = documentedOperations("socket");
      assertTrue(documented.contains("GET /auth/config"), documented.toString());
      assertTrue(documented.contains("DELETE /api/auth/api-keys/{id}"), documented.toString());
      assertEquals(documented, servedOperations(login.getRoutes()));
    } finally {
      h.close();
    }
  }

  @Test
  void taskSchemaHasExactlyTheRecordsFields() {
    TaskRecord sample =
        new TaskRecord(
            "a-b",
            "a",
            "b",
            TaskKind.TRAIN,
            1L,
            "h",
            TaskStatus.RUNNING,
            1,
            1,
            1,
            null,
            null,
            false,
            false,
            null,
            0,
            0,
            List.of(),
            false);
    java.util.Set<String> withResidency =
        new java.util.TreeSet<>(fieldNames(Json.MAPPER.valueToTree(sample)));
    withResidency.addAll(
        List.of("hot", "state_bytes")); // GET /api/tasks/{id} adds them (TaskHttpApi)
    assertEquals(withResidency, new java.util.TreeSet<>(properties("Task")));
    assertEquals(
        fieldNames(Json.MAPPER.valueToTree(new TaskPage(List.of(), 0, 1, 0))),
        properties("TaskPage"));
    assertEquals(
        fieldNames(Json.MAPPER.valueToTree(new ControlState("a", true, TaskStatus.RUNNING))),
        properties("Control"));
  }

  @Test
  void enumsMatchTheWireValues() {
    assertEquals(wireValues(TaskStatus.values()), enumOf("Status"));
    assertEquals(wireValues(TaskKind.values()), enumOf("Kind"));
    Set<String> filters = new TreeSet<>();
    Arrays.stream(ListQuery.StatusFilter.values())
        .forEach(f -> filters.add(f.name().toLowerCase(Locale.ROOT)));
    JsonNode listStatus = spec.at("/paths/~1api~1tasks/get/parameters/1");
    assertEquals("status", listStatus.path("name").asText());
    assertEquals(filters, strings(listStatus.at("/schema/enum")));
  }

  @Test
  void everyReferenceResolves() {
    List<String> refs = new ArrayList<>();
    collectRefs(spec, refs);
    assertFalse(refs.isEmpty());
    for (String ref : refs) {
      assertTrue(ref.startsWith("#/"), ref);
      assertFalse(spec.at(ref.substring(1)).isMissingNode(), () -> "unresolved " + ref);
    }
  }

  /**
   * Operations of the paths served by {@code service}: a path's {@code x-vizrelay-service}, else
   * taskinfo.
   */
  private static Set<String> documentedOperations(String service) {
    Set<String> ops = new TreeSet<>();
    spec.path("paths")
        .fields()
        .forEachRemaining(
            path -> {
              if (!service.equals(path.getValue().path("x-vizrelay-service").asText("taskinfo"))) {
                return;
              }
              path.getValue()
                  .fieldNames()
                  .forEachRemaining(
                      method -> {
                        if (OPERATIONS.contains(method)) {
                          ops.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
                        }
                      });
            });
    return ops;
  }

  /**
   * Routes with a path, {@code :param} written as {@code {param}}; the failure-handler route has
   * none.
   */
  private static Set<String> servedOperations(List<Route> routes) {
    Set<String> ops = new TreeSet<>();
    for (Route route : routes) {
      if (route.getPath() == null) {
        continue;
      }
      String path = route.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}");
      for (HttpMethod method : route.methods()) {
        ops.add(method.name() + " " + path);
      }
    }
    return ops;
  }

  private static Set<String> properties(String schema) {
    return fieldNames(spec.at("/components/schemas/" + schema + "/properties"));
  }

  private static Set<String> enumOf(String schema) {
    return strings(spec.at("/components/schemas/" + schema + "/enum"));
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> values = new TreeSet<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  private static Set<String> wireValues(Enum<?>[] values) {
    Set<String> wire = new TreeSet<>();
    Arrays.stream(values).forEach(v -> wire.add(Json.MAPPER.valueToTree(v).asText()));
    return wire;
  }

  private static void collectRefs(JsonNode node, List<String> refs) {
    if (node.has("$ref")) {
      refs.add(node.get("$ref").asText());
    }
    node.forEach(child -> collectRefs(child, refs));
  }
}
