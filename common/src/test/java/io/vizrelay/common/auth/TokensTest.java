package io.vizrelay.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vizrelay.common.config.AuthConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JWT verification through vertx-auth-jwt: HS256, RS256 (PEM), issuer/audience, and what it must
 * reject.
 */
class TokensTest {
  static final String SECRET = "0123456789abcdef0123456789abcdef";

  @TempDir Path dir;
  Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  Tokens tokens(Map<String, String> env) throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.put("VIZRELAY_AUTH", "jwt");
    return Tokens.create(vertx, AuthConfig.fromEnv(all));
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static boolean rejected(Tokens t, String token) throws Exception {
    return await(t.verifyBearer(token).map(p -> false).otherwise(true));
  }

  static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static String hs256(String key, String header, String payload) throws Exception {
    String head = b64(header) + "." + b64(payload);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return head
        + "."
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(mac.doFinal(head.getBytes(StandardCharsets.UTF_8)));
  }

  static long later() {
    return System.currentTimeMillis() / 1000 + 600;
  }

  @Test
  void issuedTokensVerifyWithTheirClaims() throws Exception {
    Tokens t =
        tokens(Map.of("VIZRELAY_JWT_HS256_SECRET", SECRET, "VIZRELAY_JWT_ISSUER", "platform"));
    Principal p = await(t.verifyBearer(t.issue("alice", Set.of("admin"))));
    assertEquals("alice", p.userId());
    assertTrue(p.admin());
  }

  @Test
  void algNoneIsRejected() throws Exception {
    Tokens t = tokens(Map.of("VIZRELAY_JWT_HS256_SECRET", SECRET));
    String payload = "{\"sub\":\"alice\",\"exp\":" + later() + "}";
    assertTrue(rejected(t, b64("{\"alg\":\"none\"}") + "." + b64(payload) + "."));
    assertTrue(rejected(t, b64("{\"alg\":\"none\"}") + "." + b64(payload)));
  }

  @Test
  void wrongIssuerAudienceOrKeyIsRejected() throws Exception {
    Tokens t =
        tokens(
            Map.of(
                "VIZRELAY_JWT_HS256_SECRET",
                SECRET,
                "VIZRELAY_JWT_ISSUER",
                "platform",
                "VIZRELAY_JWT_AUDIENCE",
                "vizrelay"));
    String header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    String good =
        "{\"sub\":\"alice\",\"exp\":" + later() + ",\"iss\":\"platform\",\"aud\":\"vizrelay\"}";
    assertEquals("alice", await(t.verifyBearer(hs256(SECRET, header, good))).userId());
    assertTrue(rejected(t, hs256(SECRET, header, good.replace("platform", "evil"))));
    assertTrue(
        rejected(
            t, hs256(SECRET, header, good.replace("\"aud\":\"vizrelay\"", "\"aud\":\"other\""))));
    assertTrue(rejected(t, hs256("another-secret-of-enough-length!!", header, good)));
  }

  @Test
  void rs256PlatformTokensVerifyAndTheirPublicKeyIsNoHmacSecret() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    KeyPair pair = gen.generateKeyPair();
    String publicPem = pem("PUBLIC KEY", pair.getPublic().getEncoded());
    Path pub = dir.resolve("pub.pem");
    Files.writeString(pub, publicPem);
    JWTAuth platform =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(
                    new PubSecKeyOptions()
                        .setAlgorithm("RS256")
                        .setBuffer(pem("PRIVATE KEY", pair.getPrivate().getEncoded()))));
    String token =
        platform.generateToken(
            new JsonObject().put("sub", "bob").put("roles", new JsonArray().add("admin")),
            new JWTOptions().setAlgorithm("RS256").setExpiresInMinutes(5));
    Tokens t = tokens(Map.of("VIZRELAY_JWT_PUBLIC_KEY_FILE", pub.toString()));
    Principal p = await(t.verifyBearer(token));
    assertEquals("bob", p.userId());
    assertTrue(p.admin());
    String confused =
        hs256(
            publicPem,
            "{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
            "{\"sub\":\"bob\",\"exp\":" + later() + "}");
    assertTrue(rejected(t, confused), "HS256 signed with the public key (algorithm confusion)");
    assertTrue(
        rejected(
            t, hs256(SECRET, "{\"alg\":\"HS256\"}", "{\"sub\":\"bob\",\"exp\":" + later() + "}")));
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
