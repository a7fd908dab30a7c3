package io.vizrelay.common.visdom;

import static io.vizrelay.common.visdom.EngineFixture.arr;
import static io.vizrelay.common.visdom.EngineFixture.json;
import static io.vizrelay.common.visdom.EngineFixture.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Commands the corpus does not cover: their frames alone must rebuild the exact state. */
class FrameRebuildTest {

  private static List<String> commands(Outcome out) {
    return out.frames().stream().map(Frame::command).toList();
  }

  @Test
  void forkIntoAnExistingEnvClosesItsWindowsThenSendsTheCopies() {
    EngineFixture f = new EngineFixture();
    f.line("a", "w1", 2);
    f.line("b", "old", 2);
    f.apply(new VisdomCommand.LayoutItemUpdate("b", "old", obj("{'x':1,'y':2}")));
    Outcome out = f.apply(new VisdomCommand.ForkEnv("a", "b"));
    assertEquals("b", out.reply().body());
    assertEquals(List.of("close", "env_update", "window", "reload"), commands(out));
    assertEquals(List.of("w1"), List.copyOf(f.state.env("b").windows().keySet()));
    f.assertFramesRebuildState();
  }

  @Test
  void browserSaveAsCopiesTheEnvWithItsLayoutAndSaveInPlaceOnlySetsTheLayout() {
    EngineFixture f = new EngineFixture();
    f.line("main", "w", 2);
    Outcome out =
        f.apply(
            new VisdomCommand.SaveEnvAs("main", "saved", obj("{'w':{'x':0,'y':0,'w':4,'h':3}}")));
    assertEquals(List.of("env_update", "window", "reload"), commands(out));
    assertEquals(obj("{'w':{'x':0,'y':0,'w':4,'h':3}}"), f.state.env("saved").reload());
    assertEquals(obj("{}"), f.state.env("main").reload());
    assertEquals(
        List.of("reload"),
        commands(f.apply(new VisdomCommand.SaveEnvAs("main", "main", obj("{'w':{}}")))));
    f.apply(new VisdomCommand.LayoutItemUpdate("saved", "w", obj("{'i':'w','x':5}")));
    f.assertFramesRebuildState();
  }

  @Test
  void setWindowDataForTheWholeEnvReplacesItsWindows() {
    EngineFixture f = new EngineFixture();
    f.line("main", "a", 1);
    f.line("main", "b", 1);
    String jsons =
        "{\"b\": {\"command\":\"window\",\"id\":\"b\",\"type\":\"text\",\"content\":\"x\",\"i\":0},"
            + "\"c\": {\"command\":\"window\",\"id\":\"c\",\"type\":\"text\",\"content\":\"y\",\"i\":1}}";
    Outcome out = f.apply(new VisdomCommand.SetWinData("main", null, jsons));
    assertEquals(List.of("close", "close", "window", "window", "env_update"), commands(out));
    assertEquals(List.of("b", "c"), List.copyOf(f.state.env("main").windows().keySet()));
    f.apply(
        new VisdomCommand.SetWinData(
            "fresh", "k", "{\"command\":\"window\",\"id\":\"other\",\"content\":\"z\"}"));
    assertEquals("other", f.state.env("fresh").window("k").get("id").asText());
    f.assertFramesRebuildState();
  }

  @Test
  void closeAllDeleteAndCreateEnvAreReplayable() {
    EngineFixture f = new EngineFixture();
    f.line("e1", "a", 1);
    f.line("e1", "b", 1);
    assertEquals(
        List.of("close", "close"), commands(f.apply(new VisdomCommand.CloseWindow("e1", null))));
    f.apply(new VisdomCommand.CreateEnv("e2"));
    assertEquals(List.of(), commands(f.apply(new VisdomCommand.CreateEnv("e2"))));
    f.apply(new VisdomCommand.DeleteEnv("e1"));
    f.line("e1", "again", 1);
    assertEquals(List.of("main", "e2", "e1"), f.state.envIds());
    f.assertFramesRebuildState();
  }

  @Test
  void heatmapColumnAndRowPrependsKeepLabelsInOrder() {
    EngineFixture f = new EngineFixture();
    f.apply(
        new VisdomCommand.CreateWindow(
            "main",
            "hm",
            arr("[{'z':[[1,2],[3,4]],'x':['a','b'],'y':['r1','r2'],'type':'heatmap'}]"),
            obj("{}"),
            obj("{}")));
    f.apply(
        new VisdomCommand.UpdateWindow(
            "main",
            "hm",
            arr("[{'z':[[0],[9]],'x':['z'],'y':null,'type':'heatmap'}]"),
            obj("{}"),
            obj("{}"),
            null,
            true,
            false,
            "prependColumn"));
    f.apply(
        new VisdomCommand.UpdateWindow(
            "main",
            "hm",
            arr("[{'z':[[7,7,7]],'x':null,'y':['r0'],'type':'heatmap'}]"),
            obj("{}"),
            obj("{}"),
            null,
            true,
            false,
            "prependRow"));
    ObjectNode plot = (ObjectNode) f.state.env("main").window("hm").at("/content/data/0");
    assertEquals(json("[[7,7,7],[0,1,2],[9,3,4]]"), plot.get("z"));
    assertEquals(json("['z','a','b']"), plot.get("x"));
    assertEquals(json("['r0','r1','r2']"), plot.get("y"));
    f.assertFramesRebuildState();
  }

  @Test
  void imageHistorySelectionAndEmbeddingsRegionsAreReplayable() {
    EngineFixture f = new EngineFixture();
    f.apply(
        new VisdomCommand.CreateWindow(
            "main", "h", arr("[{'content':{'src':'a'},'type':'image_history'}]"), null, obj("{}")));
    f.apply(
        new VisdomCommand.UpdateWindow(
            "main",
            "h",
            arr("[{'content':{'src':'b'},'type':'image_history'}]"),
            null,
            obj("{}"),
            null,
            false,
            false,
            null));
    f.apply(
        new VisdomCommand.UpdateWindow(
            "main",
            "h",
            arr("[{'type':'image_update_selected','selected':-3}]"),
            null,
            obj("{}"),
            null,
            false,
            false,
            null));
    assertEquals(0, f.state.env("main").window("h").get("selected").asInt());
    f.apply(
        new VisdomCommand.CreateWindow(
            "main",
            "emb",
            arr("[{'content':{'data':[1,2]},'type':'embeddings'}]"),
            null,
            obj("{}")));
    f.apply(
        new VisdomCommand.UpdateWindow(
            "main",
            "emb",
            arr("[{'update_type':'RegionSelected','points':[3]}]"),
            null,
            null,
            null,
            false,
            false,
            null));
    ObjectNode emb = f.state.env("main").window("emb");
    assertEquals(json("[[1,2]]"), emb.get("old_content"));
    assertEquals(json("{'data':[3],'has_previous':true,'selected':null}"), emb.get("content"));
    assertEquals(1, emb.get("version").asInt());
    f.assertFramesRebuildState();
  }

  @Test
  void aNetworkWindowGetsVisdomsDefaults() {
    EngineFixture f = new EngineFixture();
    f.apply(
        new VisdomCommand.CreateWindow(
            "main",
            "net",
            arr("[{'content':{'nodes':[]},'type':'network'}]"),
            null,
            obj("{'directed': true}")));
    ObjectNode w = f.state.env("main").window("net");
    assertEquals(
        json(
            "{'command':'window','version':1,'id':'net','title':'','inflate':true,'width':null,"
                + "'height':null,'contentID':'cid-1','content':{'nodes':[]},'type':'network','directed':true,"
                + "'showEdgeLabels':'hover','showVertexLabels':'hover','i':0}"),
        w);
  }

  @Test
  void envUpdateKeepsExistingEnvsFirstAndAppendsNewOnes() {
    TaskState state = new TaskState();
    state.getOrCreateEnv("a");
    state.getOrCreateEnv("b");
    FrameApplier.apply(state, obj("{'command':'env_update','data':['c','b','main']}"), null);
    assertEquals(List.of("main", "b", "c"), state.envIds());
    FrameApplier.apply(state, obj("{'command':'layout'}"), "main");
    assertNull(JsonCompare.diff(obj("{}"), state.env("c").toJson().get("jsons")));
  }
}
