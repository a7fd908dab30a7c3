package io.vizrelay.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written task id check against the rule it replaced, written as a regex. */
class TaskIdTest {
  private static final Pattern RULE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");

  @Test
  void everyCharacterFirstAndLaterIsJudgedAsTheRuleJudgesIt() {
    for (char c = 0; c < 0x3000; c++) {
      String first = c + "x";
      String later = "x" + c;
      assertEquals(RULE.matcher(first).matches(), VizConfig.isValidTaskId(first), first);
      assertEquals(RULE.matcher(later).matches(), VizConfig.isValidTaskId(later), later);
    }
  }

  @Test
  void lengthsAreOneToOneHundredTwentyEight() {
    assertFalse(VizConfig.isValidTaskId(null));
    assertFalse(VizConfig.isValidTaskId(""));
    assertTrue(VizConfig.isValidTaskId("a"));
    assertTrue(VizConfig.isValidTaskId("a".repeat(128)));
    assertFalse(VizConfig.isValidTaskId("a".repeat(129)));
    assertFalse(VizConfig.isValidTaskId("-a"));
    assertFalse(VizConfig.isValidTaskId("a/b"));
    assertFalse(VizConfig.isValidTaskId("a\u0000"));
    assertTrue(VizConfig.isValidTaskId("user@host:run-1.2_3"));
  }

  @Test
  void randomIdsAgreeWithTheRule() {
    String alphabet = "aZ09._:@-/ \u00e9\u0131\u212a%";
    SplittableRandom random = new SplittableRandom(16);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder id = new StringBuilder();
      int length = random.nextInt(0, 132);
      for (int j = 0; j < length; j++) {
        id.append(
            random.nextInt(10) == 0
                ? alphabet.charAt(random.nextInt(alphabet.length()))
                : alphabet.charAt(random.nextInt(9)));
      }
      String s = id.toString();
      assertEquals(RULE.matcher(s).matches(), VizConfig.isValidTaskId(s), s);
    }
  }
}
