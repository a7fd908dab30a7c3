package io.vizrelay.common.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small but real OpenID provider for tests, on 127.0.0.1 port 0: discovery, JWKS, an
 * authorization endpoint that signs in {@link #nextUser} at once (no form) and redirects back with
 * a code, and a token endpoint that checks the client secret, the redirect URI and the PKCE
 * verifier (S256) before answering an ID token and an access token. Keys are generated here (RS256
 * or ES256) and can be rotated or retired mid-test; JWKS requests are counted.
 */
public final class OidcTestProvider implements AutoCloseable {
  public static final String CLIENT_ID = "vizrelay";
  public static final String CLIENT_SECRET = "test-client-secret";

  /** A signing key: its id, algorithm and key pair. */
  public record Key(String kid, String alg, KeyPair pair) {}

  /** One issued code, bound to what the token request must repeat. */
  private record Grant(
      String user, String nonce, String challenge, String redirectUri, JsonObject extra) {}

  private final Vertx vertx;
  private HttpServer server;
  private final List<Key> keys = new CopyOnWriteArrayList<>();
  private final Map<String, Grant> codes = new ConcurrentHashMap<>();
  private final AtomicInteger jwksHits = new AtomicInteger();
  private final AtomicInteger tokenRequests = new AtomicInteger();

  /** The user the authorization endpoint signs in next, and extra claims of its tokens. */
  public volatile String nextUser = "alice";

  public volatile JsonObject nextClaims = new JsonObject();

  private OidcTestProvider(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Starts with one RS256 key. */
  public static OidcTestProvider start(Vertx vertx) throws Exception {
    OidcTestProvider p = new OidcTestProvider(vertx);
    p.rotate("RS256");
    p.listen(0);
    return p;
  }

  private void listen(int port) throws Exception {
    Router router = Router.router(vertx);
    router.get("/realms/test/.well-known/openid-configuration").handler(this::discovery);
    router.get("/realms/test/protocol/openid-connect/certs").handler(this::jwks);
    router.get("/realms/test/protocol/openid-connect/auth").handler(this::authorize);
    router
        .post("/realms/test/protocol/openid-connect/token")
        .handler(BodyHandler.create())
        .handler(this::token);
    server = await(vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1"));
    port0 = server.actualPort();
  }

  public int port() {
    return port0;
  }

  public String issuer() {
    return "http://127.0.0.1:" + port() + "/realms/test";
  }

  public String jwksUrl() {
    return issuer() + "/protocol/openid-connect/certs";
  }

  public int jwksHits() {
    return jwksHits.get();
  }

  public int tokenRequests() {
    return tokenRequests.get();
  }

  /** Adds a new key of {@code alg} (RS256 or ES256) and signs with it from now on. */
  public Key rotate(String alg) throws Exception {
    KeyPairGenerator gen;
    if (alg.startsWith("ES")) {
      gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"));
    } else {
      gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048);
    }
    Key key =
        new Key("k-" + UUID.randomUUID().toString().substring(0, 8), alg, gen.generateKeyPair());
    keys.add(key);
    return key;
  }

  /** Takes a key out of the JWKS (a retired key). */
  public void retire(Key key) {
    keys.remove(key);
  }

  /** The key tokens are signed with now (the newest). */
  public Key current() {
    return keys.get(keys.size() - 1);
  }

  /** Stops answering (an outage); {@link #restart} answers again on the same port. */
  public void stop() throws Exception {
    await(server.close());
  }

  public void restart() throws Exception {
    listen(port0);
  }

  private int port0;

  // ------------------------------------------------------------------ tokens

  /** Claims of a valid access token for {@code user}: iss, aud, exp in an hour. */
  public JsonObject claims(String user) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject()
        .put("iss", issuer())
        .put("aud", CLIENT_ID)
        .put("sub", UUID.randomUUID().toString())
        .put("preferred_username", user)
        .put("iat", now)
        .put("exp", now + 3600);
  }

  /** An access token for {@code user} signed with the current key. */
  public String token(String user) {
    return sign(current(), claims(user));
  }

  /** {@code claims} signed with {@code key} (its kid in the header). */
  public static String sign(Key key, JsonObject claims) {
    JsonObject header =
        new JsonObject().put("alg", key.alg()).put("typ", "JWT").put("kid", key.kid());
    return sign(key, header, claims);
  }

  /** {@code claims} with any header, signed with {@code key}. */
  public static String sign(Key key, JsonObject header, JsonObject claims) {
    String input = b64(header.encode()) + "." + b64(claims.encode());
    try {
      Signature s =
          Signature.getInstance(
              key.alg().startsWith("ES") ? "SHA256withECDSAinP1363Format" : "SHA256withRSA");
      s.initSign(key.pair().getPrivate());
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String b64(String s) {
    return b64(s.getBytes(StandardCharsets.UTF_8));
  }

  public static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** The JWK of a public key (what the JWKS endpoint serves). */
  public static JsonObject jwk(Key key) {
    JsonObject jwk = new JsonObject().put("kid", key.kid()).put("use", "sig").put("alg", key.alg());
    if (key.pair().getPublic() instanceof RSAPublicKey rsa) {
      return jwk.put("kty", "RSA")
          .put("n", b64(unsigned(rsa.getModulus(), 0)))
          .put("e", b64(unsigned(rsa.getPublicExponent(), 0)));
    }
    ECPublicKey ec = (ECPublicKey) key.pair().getPublic();
    return jwk.put("kty", "EC")
        .put("crv", "P-256")
        .put("x", b64(unsigned(ec.getW().getAffineX(), 32)))
        .put("y", b64(unsigned(ec.getW().getAffineY(), 32)));
  }

  private static byte[] unsigned(BigInteger n, int size) {
    byte[] b = n.toByteArray();
    if (b.length > 1 && b[0] == 0) {
      b = java.util.Arrays.copyOfRange(b, 1, b.length);
    }
    if (size > b.length) {
      byte[] padded = new byte[size];
      System.arraycopy(b, 0, padded, size - b.length, b.length);
      b = padded;
    }
    return b;
  }

  // ------------------------------------------------------------------ endpoints

  private void discovery(RoutingContext ctx) {
    String base = issuer() + "/protocol/openid-connect";
    ctx.json(
        new JsonObject()
            .put("issuer", issuer())
            .put("authorization_endpoint", base + "/auth")
            .put("token_endpoint", base + "/token")
            .put("jwks_uri", base + "/certs")
            .put("end_session_endpoint", base + "/logout")
            .put("response_types_supported", new JsonArray().add("code"))
            .put("code_challenge_methods_supported", new JsonArray().add("S256")));
  }

  private void jwks(RoutingContext ctx) {
    jwksHits.incrementAndGet();
    JsonArray array = new JsonArray();
    keys.forEach(k -> array.add(jwk(k)));
    ctx.json(new JsonObject().put("keys", array));
  }

  private void authorize(RoutingContext ctx) {
    String redirect = ctx.request().getParam("redirect_uri");
    if (!CLIENT_ID.equals(ctx.request().getParam("client_id"))
        || !"code".equals(ctx.request().getParam("response_type"))
        || !"S256".equals(ctx.request().getParam("code_challenge_method"))
        || ctx.request().getParam("code_challenge") == null
        || redirect == null) {
      ctx.response().setStatusCode(400).end("bad authorization request");
      return;
    }
    String code = UUID.randomUUID().toString();
    codes.put(
        code,
        new Grant(
            nextUser,
            ctx.request().getParam("nonce"),
            ctx.request().getParam("code_challenge"),
            redirect,
            nextClaims.copy()));
    String state = ctx.request().getParam("state");
    ctx.response()
        .setStatusCode(302)
        .putHeader(
            "Location",
            redirect
                + (redirect.contains("?") ? "&" : "?")
                + "code="
                + code
                + "&state="
                + URLEncoder.encode(state == null ? "" : state, StandardCharsets.UTF_8))
        .end();
  }

  private void token(RoutingContext ctx) {
    tokenRequests.incrementAndGet();
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
    Grant grant = codes.remove(String.valueOf(ctx.request().getFormAttribute("code")));
    String verifier = ctx.request().getFormAttribute("code_verifier");
    if (!basic.equals(ctx.request().getHeader("Authorization"))) {
      error(ctx, 401, "invalid_client");
    } else if (grant == null
        || !"authorization_code".equals(ctx.request().getFormAttribute("grant_type"))
        || !grant.redirectUri().equals(ctx.request().getFormAttribute("redirect_uri"))) {
      error(ctx, 400, "invalid_grant");
    } else if (verifier == null || !grant.challenge().equals(s256(verifier))) {
      error(ctx, 400, "invalid_grant");
    } else {
      JsonObject claims = claims(grant.user()).mergeIn(grant.extra());
      JsonObject id = claims.copy();
      if (grant.nonce() != null) {
        id.put("nonce", grant.nonce());
      }
      ctx.json(
          new JsonObject()
              .put("token_type", "Bearer")
              .put("expires_in", 3600)
              .put("access_token", sign(current(), claims))
              .put("id_token", sign(current(), id)));
    }
  }

  private static void error(RoutingContext ctx, int status, String error) {
    ctx.response().setStatusCode(status);
    ctx.json(new JsonObject().put("error", error));
  }

  static String s256(String verifier) {
    try {
      return b64(
          MessageDigest.getInstance("SHA-256")
              .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    await(server.close());
  }
}
