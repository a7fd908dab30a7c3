package io.vizrelay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;

/**
 * The relay floor: the bare ceiling ({@link BareServer}) plus the least JSON work any relay of
 * visdom's bodies must do — parse each body into a tree (Jackson's {@code readTree}) and write the
 * tree back to bytes (the frame a browser would get) — and nothing else: no numbering, no state, no
 * log. Against {@link BareServer}, which reads the body without looking at it, this separates what
 * parsing and writing a body's numbers cost by themselves from what vizrelay adds. Started like
 * {@link BareServer}: {@code BareJsonServer <dataDir> [instances]}.
 */
public final class BareJsonServer {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private BareJsonServer() {}

  public static void main(String[] args) throws Exception {
    BareServer.serve(args, (server, context) -> server.requestHandler(BareJsonServer::answer));
  }

  /** Parses the body, writes it back, answers as {@link BareServer#answer} does (400: not JSON). */
  static void answer(HttpServerRequest req) {
    req.body().onSuccess(body -> BareServer.reply(req, relay(body) > 0 ? 200 : 400));
  }

  /** The body parsed and written back; the bytes written (0 for a body that is not JSON). */
  static int relay(Buffer body) {
    try {
      JsonNode tree = MAPPER.readTree(body.getBytes());
      return MAPPER.writeValueAsBytes(tree).length;
    } catch (IOException e) {
      return 0;
    }
  }
}
