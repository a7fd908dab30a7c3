package io.vizrelay.common.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vizrelay.common.config.OidcConfig;
import java.util.Set;

/**
 * An OpenID Connect token's claims to a {@link Principal}: the user is the claim {@code
 * VIZRELAY_OIDC_USER_CLAIM} (default {@code preferred_username}; it must be a valid vizrelay user
 * name); the user is admin when the claim {@code VIZRELAY_OIDC_ADMIN_CLAIM} (a dotted path into
 * nested objects, e.g. Keycloak's {@code realm_access.roles}) is, or is an array holding, {@code
 * VIZRELAY_OIDC_ADMIN_VALUE}. Provider tokens carry no {@code project}/{@code task} scope.
 */
final class OidcClaims {
  private final OidcConfig oidc;

  OidcClaims(OidcConfig oidc) {
    this.oidc = oidc;
  }

  /** The principal, or throws 401 when the user claim is missing or not a valid user name. */
  Principal principal(JsonObject claims) {
    String user = at(claims, oidc.userClaim()) instanceof String s ? s : null;
    if (!UsersFile.isValidUserId(user)) {
      throw Tokens.unauthorized(
          "claim "
              + oidc.userClaim()
              + " is missing or not a valid vizrelay user name (letters, digits, . _ @)");
    }
    return new Principal(
        user, admin(claims) ? Set.of(Principal.ADMIN) : Set.of(), null, null, "user:" + user);
  }

  private boolean admin(JsonObject claims) {
    if (oidc.adminClaim() == null) {
      return false;
    }
    Object value = at(claims, oidc.adminClaim());
    if (value instanceof JsonArray array) {
      return array.contains(oidc.adminValue());
    }
    return oidc.adminValue().equals(value);
  }

  /** The value at a dotted path ({@code a.b.c}), or null; a claim whose name has dots wins. */
  static Object at(JsonObject claims, String path) {
    if (claims.containsKey(path)) {
      return claims.getValue(path);
    }
    Object node = claims;
    for (String part : path.split("\\.")) {
      if (!(node instanceof JsonObject obj)) {
        return null;
      }
      node = obj.getValue(part);
    }
    return node;
  }
}
