package io.vizrelay.common.visdom;

import static io.vizrelay.common.visdom.EngineFixture.arr;
import static io.vizrelay.common.visdom.EngineFixture.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonPatchTest {

  @Test
  void addInsertsIntoArraysAtAnIndexOrAtTheEndWithDash() {
    ObjectNode doc = obj("{'a': [1, 3]}");
    JsonPatch.apply(
        doc,
        arr(
            "[{'op':'add','path':'/a/1','value':2}, {'op':'add','path':'/a/-','value':4},"
                + "{'op':'add','path':'/a/4','value':5}]"));
    assertEquals(obj("{'a': [1, 2, 3, 4, 5]}"), doc);
  }

  @Test
  void addSetsObjectMembersAndReplacesExistingOnes() {
    ObjectNode doc = obj("{'a': 1}");
    JsonPatch.apply(
        doc,
        arr("[{'op':'add','path':'/b','value':{'c':[]}}, {'op':'add','path':'/a','value':9}]"));
    assertEquals(obj("{'a': 9, 'b': {'c': []}}"), doc);
  }

  @Test
  void removeDeletesMembersAndArrayElements() {
    ObjectNode doc = obj("{'a': [1, 2, 3], 'b': true}");
    JsonPatch.apply(doc, arr("[{'op':'remove','path':'/a/0'}, {'op':'remove','path':'/b'}]"));
    assertEquals(obj("{'a': [2, 3]}"), doc);
  }

  @Test
  void replaceChangesExistingValuesAndTheWholeRoot() {
    ObjectNode doc = obj("{'v': 1, 'a': [0, 0]}");
    JsonPatch.apply(
        doc,
        arr("[{'op':'replace','path':'/v','value':2}, {'op':'replace','path':'/a/1','value':7}]"));
    assertEquals(obj("{'v': 2, 'a': [0, 7]}"), doc);
    JsonPatch.apply(doc, arr("[{'op':'replace','path':'','value':{'x':1}}]"));
    assertEquals(obj("{'x': 1}"), doc);
  }

  @Test
  void moveTakesAValueFromOnePlaceToAnother() {
    ObjectNode doc = obj("{'content': {'data': [1]}, 'old': []}");
    JsonPatch.apply(doc, arr("[{'op':'move','from':'/content/data','path':'/old/-'}]"));
    assertEquals(obj("{'content': {}, 'old': [[1]]}"), doc);
  }

  @Test
  void escapedTokensAddressKeysWithSlashAndTilde() {
    assertEquals("a~1b~0c", JsonPatch.escape("a/b~c"));
    assertEquals(List.of("a/b~c", "", "x"), JsonPatch.tokens("/a~1b~0c//x"));
    ObjectNode doc = obj("{'a/b': {'~': 1}}");
    JsonPatch.apply(doc, arr("[{'op':'replace','path':'/a~1b/~0','value':2}]"));
    assertEquals(obj("{'a/b': {'~': 2}}"), doc);
  }

  @Test
  void valuesAreCopiedSoTheOpsStayUnchanged() {
    ArrayNode ops = arr("[{'op':'add','path':'/a','value':{'list':[1]}}]");
    ObjectNode doc = obj("{}");
    JsonPatch.apply(doc, ops);
    ((ArrayNode) doc.get("a").get("list")).add(2);
    assertEquals(arr("[{'op':'add','path':'/a','value':{'list':[1]}}]"), ops);
  }

  @Test
  void badOpsAreRejected() {
    ObjectNode doc = obj("{'a': [1]}");
    assertThrows(
        IllegalArgumentException.class,
        () -> JsonPatch.apply(doc, arr("[{'op':'add','path':'/a/5','value':1}]")));
    assertThrows(
        IllegalArgumentException.class,
        () -> JsonPatch.apply(doc, arr("[{'op':'remove','path':'/nope'}]")));
    assertThrows(
        IllegalArgumentException.class,
        () -> JsonPatch.apply(doc, arr("[{'op':'replace','path':'/b','value':1}]")));
    assertThrows(
        IllegalArgumentException.class,
        () -> JsonPatch.apply(doc, arr("[{'op':'add','path':'/a/01','value':1}]")));
    assertThrows(
        IllegalArgumentException.class,
        () -> JsonPatch.apply(doc, arr("[{'op':'test','path':'/a','value':1}]")));
    assertThrows(
        IllegalArgumentException.class,
        () -> JsonPatch.apply(doc, arr("[{'op':'add','path':'a','value':1}]")));
  }
}
