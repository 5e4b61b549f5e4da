package membank.util;

import java.awt.image.RenderedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.file.Path;

import javax.imageio.ImageIO;

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

    /** An image drawn in Java (several charts side by side, say), as a PNG, atomically. */
    public static void write(RenderedImage image, Path png) {
        try {
            AtomicFile.write(png, channel -> {
                if (!ImageIO.write(image, "png", Channels.newOutputStream(channel))) {
                    throw new IOException("no PNG writer in this JVM");
                }
            }, AtomicFile.BeforeRename.NOTHING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png, e);
        }
    }

    /** Call before building a chart: AWT must not look for a display. */
    public static void headless() {
        System.setProperty("java.awt.headless", "true");
    }
}
