package io.vizrelay.common.visdom;

import static io.vizrelay.common.visdom.EngineFixture.arr;
import static io.vizrelay.common.visdom.EngineFixture.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where visdom 0.2.4 fails with a 500 (often half-way), the engine refuses before changing
 * anything.
 */
class RejectedCommandTest {
  private EngineFixture f;

  @BeforeEach
  void setUp() {
    f = new EngineFixture();
    f.line("main", "line", 3);
    f.apply(
        new VisdomCommand.CreateWindow(
            "main",
            "two",
            arr(
                "[{'x':[0],'y':[1],'name':'a','type':'scatter'},"
                    + "{'x':[0],'y':[2],'name':'a','type':'scatter'}]"),
            obj("{}"),
            obj("{}")));
    f.apply(
        new VisdomCommand.CreateWindow(
            "main", "img", arr("[{'content':{'src':'x'},'type':'image'}]"), null, obj("{}")));
    f.apply(
        new VisdomCommand.CreateWindow(
            "main",
            "hm",
            arr("[{'z':[[1,2],[3,4]],'x':null,'y':null,'type':'heatmap'}]"),
            obj("{}"),
            obj("{}")));
    f.apply(
        new VisdomCommand.CreateWindow(
            "main", "strx", arr("[{'x':'abc','y':[1],'type':'scatter'}]"), obj("{}"), obj("{}")));
  }

  private static VisdomCommand.UpdateWindow update(
      String win, String data, String opts, String name, boolean append, String dir) {
    return new VisdomCommand.UpdateWindow(
        "main",
        win,
        data == null ? null : arr(data),
        obj("{}"),
        obj(opts),
        name,
        append,
        false,
        dir);
  }

  @Test
  void everyRejectedCommandLeavesTheStateByteIdentical() {
    Map<VisdomCommand, ErrorCode> cases =
        Map.ofEntries(
            Map.entry(
                new VisdomCommand.CreateWindow("main", "e", arr("[]"), obj("{}"), obj("{}")),
                ErrorCode.INVALID_EVENT),
            Map.entry(
                new VisdomCommand.CreateWindow(
                    "main", "p", arr("[{'x':[1],'type':'scatter'}]"), null, obj("{}")),
                ErrorCode.INVALID_EVENT),
            Map.entry(
                new VisdomCommand.CreateWindow(
                    "main", "t", arr("[{'type':'text'}]"), null, obj("{}")),
                ErrorCode.INVALID_EVENT),
            Map.entry(
                new VisdomCommand.UpdateWindow(
                    "nope", "line", arr("[]"), null, null, null, true, false, null),
                ErrorCode.ENV_NOT_FOUND),
            Map.entry(
                update("img", "[{'content':'more','type':'text'}]", "{}", null, false, null),
                ErrorCode.INVALID_EVENT),
            Map.entry(
                update("line", "[{'x':[1]},{'x':[2]}]", "{'title':'changed'}", "1", true, null),
                ErrorCode.INVALID_FIELD),
            Map.entry(
                update("two", "[{'x':[1],'y':[1]}]", "{'title':'changed'}", "a", true, null),
                ErrorCode.INVALID_FIELD),
            Map.entry(
                update("two", null, "{'legend':['only one']}", null, false, null),
                ErrorCode.INVALID_FIELD),
            Map.entry(
                update(
                    "line",
                    "[{'x':[9],'y':'not a list'}]",
                    "{'title':'changed'}",
                    null,
                    true,
                    null),
                ErrorCode.INVALID_FIELD),
            Map.entry(
                update("strx", "[{'x':[1],'y':[1]}]", "{'title':'changed'}", null, true, null),
                ErrorCode.INVALID_FIELD),
            Map.entry(
                update(
                    "hm",
                    "[{'z':[[5,6]],'type':'heatmap'}]",
                    "{'title':'changed'}",
                    null,
                    true,
                    null),
                ErrorCode.INVALID_FIELD),
            Map.entry(
                update("hm", "[{'z':[],'type':'heatmap'}]", "{}", null, true, "appendRow"),
                ErrorCode.INVALID_FIELD),
            Map.entry(new VisdomCommand.CloseWindow("nope", null), ErrorCode.ENV_NOT_FOUND),
            Map.entry(new VisdomCommand.GetWinData("main", "nope"), ErrorCode.WINDOW_NOT_FOUND),
            Map.entry(new VisdomCommand.GetWinData("nope", null), ErrorCode.ENV_NOT_FOUND),
            Map.entry(
                new VisdomCommand.SetWinData("main", "w", "{not json"), ErrorCode.INVALID_JSON),
            Map.entry(new VisdomCommand.SetWinData("main", null, "[1]"), ErrorCode.INVALID_FIELD),
            Map.entry(new VisdomCommand.DeleteEnv("nope"), ErrorCode.ENV_NOT_FOUND),
            Map.entry(new VisdomCommand.ForkEnv("nope", "x"), ErrorCode.ENV_NOT_FOUND),
            Map.entry(new VisdomCommand.SaveEnvAs("nope", "x", obj("{}")), ErrorCode.ENV_NOT_FOUND),
            Map.entry(new VisdomCommand.SaveEnvAs("main", "x", arr("[]")), ErrorCode.INVALID_FIELD),
            Map.entry(
                new VisdomCommand.LayoutItemUpdate("nope", "w", obj("{}")),
                ErrorCode.ENV_NOT_FOUND),
            Map.entry(new VisdomCommand.SaveEnvs(null), ErrorCode.INVALID_FIELD));
    for (Map.Entry<VisdomCommand, ErrorCode> c : cases.entrySet()) {
      String before = f.snapshot();
      int frames = f.frames.size();
      ApiException e =
          assertThrows(ApiException.class, () -> f.apply(c.getKey()), c.getKey().toString());
      assertEquals(c.getValue(), e.code(), c.getKey() + ": " + e.getMessage());
      assertEquals(before, f.snapshot(), c.getKey() + " changed the state");
      assertEquals(frames, f.frames.size());
    }
  }

  @Test
  void visdomAnswersWithTextNotErrorsForAMissingWindowOrAGatedType() {
    f.apply(
        new VisdomCommand.CreateWindow(
            "main", "bar", arr("[{'x':[1],'y':[2],'type':'bar'}]"), obj("{}"), obj("{}")));
    String before = f.snapshot();
    assertEquals(
        "win does not exist",
        f.apply(update("nope", "[{'x':[1],'y':[1]}]", "{}", null, false, null)).reply().body());
    assertEquals(
        WindowCommands.NOT_UPDATABLE + "bar",
        f.apply(update("bar", "[{'x':[1],'y':[1]}]", "{}", null, true, null)).reply().body());
    assertEquals(before, f.snapshot());
    assertEquals(List.of(), f.apply(new VisdomCommand.WinExists("nope", "line")).frames());
  }
}
