package membank.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** An XChart chart written as a PNG, atomically, without a display (headless). */
public final class PngFile {
    private PngFile() {
    }

    public static void write(Chart<?, ?> chart, Path png) {
        try {
            AtomicFile.write(png, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png, e);
        }
    }

    /** Call before building a chart: AWT must not look for a display. */
    public static void headless() {
        System.setProperty("java.awt.headless", "true");
    }
}
