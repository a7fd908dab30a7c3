package io.vizrelay.common.visdom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The visdom 0.2.4 conformance corpus ({@code src/test/resources/visdom-corpus}: recordings of the
 * real visdom 0.2.4 server and client, see its README) replayed against {@link VisdomEngine}, one
 * dynamic test per recording. Each step checks the reply, that every visdom 500 is a 400/404 that
 * changes nothing, and that a browser fed our frames sees the same windows as visdom's observer; at
 * the end the frames must rebuild the exact state and the state must match the late joiner's
 * replay. Deliberate differences are listed in {@link CorpusDeviations}.
 */
class CorpusConformanceTest {
  private static final int CORPUS_FILES = 28;

  @TestFactory
  Stream<DynamicTest> everyRecordingReplaysLikeVisdom() throws IOException, URISyntaxException {
    Path dir =
        Path.of(CorpusConformanceTest.class.getResource("/visdom-corpus/README.md").toURI())
            .getParent();
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
    }
    assertEquals(CORPUS_FILES, files.size(), "corpus files");
    return files.stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    file.getFileName().toString(), () -> new CorpusScenario(file).run()));
  }
}
