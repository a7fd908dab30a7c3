package io.vizrelay.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vizrelay.app.launcher.Launcher;
import io.vizrelay.app.launcher.RunOptions;
import io.vizrelay.app.launcher.Timing;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The page's Stop on a task started by {@code vizrelay run} (a real python3 child): the dialog says
 * its launcher ends the job, the header shows "stopping…" until the child has ended, then the final
 * status with the exit code.
 */
class StopFlowIT {
  private static UiHarness ui;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    ui = UiHarness.start(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    ui.close();
  }

  @Test
  void stopEndsALaunchedJobAndThePageFollowsItToItsEnd() throws Exception {
    Path go = dir.resolve("go");
    // on SIGTERM the job finishes its epoch (waits for the test's go) and exits 143
    String script =
        String.join(
            "\n",
            "import os, signal, sys, time",
            "def on_term(*_):",
            "    while not os.path.exists('" + go + "'):",
            "        time.sleep(0.05)",
            "    sys.exit(143)",
            "signal.signal(signal.SIGTERM, on_term)",
            "print('epoch 1: loss 0.5', flush=True)",
            "while True:",
            "    time.sleep(1)");
    RunOptions options =
        RunOptions.parse(
            List.of(
                "--server",
                ui.base(),
                "--task",
                "demo-launched",
                "--capture-output",
                "--",
                "python3",
                "-c",
                script),
            Map.of());
    Launcher launcher =
        new Launcher(
            options,
            new Timing(
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                Duration.ofMillis(50),
                Duration.ofMillis(500),
                Duration.ofSeconds(60),
                Duration.ofMillis(50)),
            new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(new ByteArrayOutputStream()));
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return launcher.run();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    ui.waitFor(
        "registered",
        d -> ui.get("/api/tasks/demo-launched").body().contains("\"pid\":") ? true : null);
    ui.open("?task_id=demo-launched");
    ui.waitLive("demo-launched");
    WebElement stop =
        ui.waitFor(
            "stop button of a stoppable task",
            d -> {
              WebElement b = d.findElement(By.id("stop-btn"));
              return b.isDisplayed()
                      && b.isEnabled()
                      && "true".equals(b.getAttribute("data-stoppable"))
                  ? b
                  : null;
            });
    assertEquals("Stop task", stop.getText());
    stop.click();
    ui.waitFor(
        "confirmation", d -> d.findElement(By.id("confirm-stop")).isDisplayed() ? true : null);
    assertTrue(
        ui.driver.findElement(By.id("confirm-how")).getText().contains("launcher ends the job"),
        ui.driver.findElement(By.id("confirm-how")).getText());
    ui.click(By.id("confirm-ok"));
    ui.waitFor(
        "stopping… until the job has ended",
        d -> {
          WebElement b = d.findElement(By.id("stop-btn"));
          return d.findElement(By.id("h-status")).getText().contains("stopping…") && !b.isEnabled()
              ? true
              : null;
        });
    ui.screenshot("launched-stopping");
    assertTrue(!exit.isDone(), "the job is still finishing its epoch");
    Files.createFile(go);
    assertEquals(143, exit.get(60, TimeUnit.SECONDS));
    ui.waitFor(
        "final status and exit code",
        d ->
            d.findElement(By.id("h-status")).getText().equals("stopped (exit 143)")
                    && !d.findElement(By.id("stop-btn")).isDisplayed()
                ? true
                : null);
    ui.screenshot("launched-stopped");
    ui.assertNoJsErrors();
  }
}
