package membank.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Another JVM on this test run's class path, for tests that need a second process. Its protocol
 * lines start with {@link #MARK}: anything else on its output (the JVM's own "Picked up
 * JAVA_TOOL_OPTIONS: ..." line, progress bars, log lines) is kept only for failure messages.
 * Closing it kills it, so no test leaves one behind.
 */
public final class ChildJvm implements AutoCloseable {
    /** What a child's protocol lines start with. */
    public static final String MARK = "child: ";
    private static final String END = "\u0000end";

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    private ChildJvm(Process process) {
        this.process = process;
        Thread reader = new Thread(this::readOutput, "child-jvm-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code main} with {@code args}; {@code env} is added to (or, for null values, removed from) this environment. */
    public static ChildJvm start(Class<?> main, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        env.forEach((key, value) -> {
            if (value == null) {
                builder.environment().remove(key);
            } else {
                builder.environment().put(key, value);
            }
        });
        try {
            return new ChildJvm(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** The next protocol line (without the mark) starting with {@code prefix}; fails with the output when none comes in time. */
    public String await(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line.equals(END)) {
                throw new AssertionError("the child JVM said no '" + MARK + prefix + "' line within " + timeout
                        + (line == null ? "" : " (it ended with exit " + process.waitFor() + ")") + "; its output:\n" + output());
            }
            if (line.startsWith(MARK + prefix)) {
                return line.substring(MARK.length());
            }
        }
    }

    /** Everything the child printed so far. */
    /**
     * Waits while this child runs for a finished checkpoint of the run directory {@code run} at or
     * after {@code step} (the newest {@code checkpoints/step-N}); returns its step.
     */
    public int awaitCheckpoint(Path run, int step, Duration timeout) throws IOException, InterruptedException {
        Path checkpoints = run.resolve("checkpoints");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (Files.isDirectory(checkpoints)) {
                try (Stream<Path> entries = Files.list(checkpoints)) {
                    int latest = entries.map(p -> p.getFileName().toString()).filter(n -> n.matches("step-\\d+"))
                            .mapToInt(n -> Integer.parseInt(n.substring(5))).max().orElse(-1);
                    if (latest >= step) {
                        return latest;
                    }
                } catch (NoSuchFileException e) {
                    // a checkpoint was pruned while we listed: look again
                }
            }
            Thread.sleep(2);
        }
        throw new AssertionError("no checkpoint at step " + step + " or later; the child's output:\n" + output());
    }

    public synchronized String output() {
        return String.join("\n", seen);
    }

    /** Closes the child's stdin, which the children here take as the signal to finish. */
    public void closeInput() throws IOException {
        process.getOutputStream().close();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (this) {
                    seen.add(line);
                }
                lines.add(line);
            }
        } catch (IOException e) {
            // the child was killed: its output simply ends
        } finally {
            lines.add(END);
        }
    }
}
