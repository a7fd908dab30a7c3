package io.vizrelay.bench;

import java.util.ArrayList;
import java.util.List;

/** The targets and what the run measured for each. */
final class Targets {
  record Check(String target, String measured, Boolean met) {
    String verdict() {
      return met == null ? "not measured" : met ? "met" : "**missed**";
    }
  }

  private final List<Check> checks = new ArrayList<>();

  void add(String target, String measured, Boolean met) {
    checks.add(new Check(target, measured, met));
  }

  boolean isEmpty() {
    return checks.isEmpty();
  }

  Table table() {
    Table t = new Table("Targets", "target", "measured", "verdict");
    checks.forEach(c -> t.row(c.target(), c.measured(), c.verdict()));
    return t;
  }
}
