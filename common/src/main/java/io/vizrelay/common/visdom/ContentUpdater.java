package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vizrelay.common.json.Json;

/**
 * {@code /update} of the non-plot windows visdom lets through its type gate: {@code text} ({@code
 * content += "<br>" + data[0].content}), {@code image_history} (push, select the last) and {@code
 * embeddings}. As in visdom, their version is not bumped and opts are not copied. Each method
 * validates first and mutates after, emitting its ops.
 */
final class ContentUpdater {
  private ContentUpdater() {}

  static void text(UpdateContext ctx) {
    JsonNode add = first(ctx).get("content");
    JsonNode content = ctx.window.get("content");
    if (add == null || !add.isTextual() || content == null || !content.isTextual()) {
      throw PlotValidator.invalid("a text append needs data[0].content text and a text window");
    }
    TextNode joined = TextNode.valueOf(content.asText() + "<br>" + add.asText());
    ctx.window.set("content", joined);
    ctx.patch.replace("/content", joined);
  }

  static void imageHistory(UpdateContext ctx) {
    JsonNode d = first(ctx);
    JsonNode content = ctx.window.get("content");
    if (!d.has("type") || content == null || !content.isArray()) {
      throw PlotValidator.invalid(
          "an image_history update needs data[0].type and a list of images");
    }
    ArrayNode images = (ArrayNode) content;
    String utype = d.get("type").asText();
    if (utype.equals("image_history")) {
      if (!d.has("content")) {
        throw PlotValidator.invalid("an image_history update needs data[0].content");
      }
      ctx.patch.add("/content/" + images.size(), d.get("content"));
      images.add(d.get("content"));
      select(ctx, images.size() - 1);
    } else if (utype.equals("image_update_selected")) {
      // visdom 0.2.4 crashes here (it reads the whole data list as the index); this is the intent.
      if (!d.path("selected").canConvertToLong()) {
        throw PlotValidator.invalid("image_update_selected needs an integer data[0].selected");
      }
      long selected = Math.min(images.size() - 1, Math.max(0, d.get("selected").asLong()));
      select(ctx, selected);
    }
  }

  private static void select(UpdateContext ctx, long selected) {
    boolean existed = ctx.window.has("selected");
    PlotUpdater.putNumber(ctx.window, "selected", selected);
    ctx.patch.set("/selected", existed, ctx.window.get("selected"));
  }

  /**
   * Embeddings: visdom reads {@code data} as one object; {@link VisdomCommand.UpdateWindow} carries
   * a list, so that object is expected as {@code data[0]}.
   */
  static void embeddings(UpdateContext ctx) {
    JsonNode d = first(ctx);
    JsonNode content = ctx.window.get("content");
    String kind = d.path("update_type").asText("");
    if (!(content instanceof ObjectNode c)) {
      throw PlotValidator.invalid("embeddings window without content object");
    }
    if (kind.equals("EntitySelected")) {
      JsonNode selected = d.has("selected") ? d.get("selected") : null;
      if (selected == null) {
        throw PlotValidator.invalid("EntitySelected needs selected");
      }
      setIn(ctx, c, "selected", selected);
    } else if (kind.equals("RegionSelected")) {
      if (!d.has("points") || !c.has("data") || !ctx.window.path("old_content").isArray()) {
        throw PlotValidator.invalid(
            "RegionSelected needs points and an embeddings window with data");
      }
      setIn(ctx, c, "selected", Json.NODES.nullNode());
      ArrayNode old = (ArrayNode) ctx.window.get("old_content");
      old.add(c.remove("data"));
      ctx.patch.move("/content/data", "/old_content/-");
      setIn(ctx, c, "has_previous", Json.NODES.booleanNode(true));
      ctx.patch.add("/content/data", d.get("points"));
      c.set("data", d.get("points"));
    }
  }

  private static void setIn(UpdateContext ctx, ObjectNode content, String key, JsonNode value) {
    ctx.patch.set("/content/" + key, content.has(key), value);
    content.set(key, value);
  }

  private static JsonNode first(UpdateContext ctx) {
    ArrayNode data = ctx.data();
    if (data == null || data.isEmpty() || !data.get(0).isObject()) {
      throw PlotValidator.invalid("data must hold one object");
    }
    return data.get(0);
  }
}
