package io.vizrelay.taskinfo;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.auth.Authorizer;
import io.vizrelay.common.auth.UsersFile;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Body of {@code PUT /api/tasks/{id}/shared_with}: the complete list of users the task is shared
 * with, read-only ({@code []} unshares). Duplicates and the owner itself are dropped; at most
 * {@link Authorizer#MAX_SHARED_WITH} distinct users, each a valid user name.
 */
record ShareRequest(@JsonProperty("users") JsonNode users) {

  static List<String> decode(Buffer body, String owner) {
    return Bodies.decode(body, ShareRequest.class).validate(owner);
  }

  List<String> validate(String owner) {
    if (users == null || !users.isArray()) {
      throw Bodies.invalid("users is required: an array of user names ([] shares with nobody)");
    }
    Set<String> distinct = new LinkedHashSet<>();
    for (JsonNode node : users) {
      String user = node.isTextual() ? node.asText() : null;
      if (user == null || !UsersFile.isValidUserId(user)) {
        throw Bodies.invalid(
            "users must be user names (letters, digits, . _ @; at most 64 characters)");
      }
      if (!user.equals(owner)) {
        distinct.add(user);
      }
      if (distinct.size() > Authorizer.MAX_SHARED_WITH) {
        throw Bodies.invalid(
            "a task may be shared with at most " + Authorizer.MAX_SHARED_WITH + " users");
      }
    }
    return List.copyOf(distinct);
  }
}
