package ai.avala.agents.local.stack;

import java.time.Duration;

/** Waits for asynchronous work (the queue trigger, retries) to show, failing with the last assertion error. */
final class Eventually {

    private Eventually() {}

    static void eventually(Duration limit, Runnable assertion) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
