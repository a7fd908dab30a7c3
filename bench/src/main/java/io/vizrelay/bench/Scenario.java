package io.vizrelay.bench;

/** One benchmark scenario; it adds its table(s) and target checks to the context. */
interface Scenario {
  String name();

  void run(BenchContext ctx) throws Exception;
}
