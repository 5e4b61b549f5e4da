package membank.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one atomic writer: a reader sees the old content or the new, never half, and no temporary stays. */
class AtomicFileTest {
    @TempDir
    Path tmp;

    @Test
    void writesBytesAndTextCreatingTheParentDirectories() throws IOException {
        Path file = tmp.resolve("a/b/c.txt");
        AtomicFile.write(file, "first");
        assertEquals("first", Files.readString(file));
        AtomicFile.write(file, "second".getBytes(StandardCharsets.UTF_8));
        assertEquals("second", Files.readString(file));
        assertEquals(List.of(file), listing(file.getParent()));
    }

    @Test
    void contentThatFailsLeavesTheOldFileAndNoTemporary() throws IOException {
        Path file = tmp.resolve("keep.txt");
        AtomicFile.write(file, "old");
        assertThrows(IOException.class, () -> AtomicFile.write(file, channel -> {
            AtomicFile.writeFully(channel, ByteBuffer.wrap("half of the n".getBytes(StandardCharsets.UTF_8)));
            throw new IOException("disk full");
        }, AtomicFile.BeforeRename.NOTHING));
        assertEquals("old", Files.readString(file));
        assertEquals(List.of(file), listing(tmp));
    }

    @Test
    void theTemporaryIsASiblingTheOwnerCanRecognise() throws IOException {
        Path file = tmp.resolve("bank.safetensors");
        Path[] seen = new Path[1];
        AtomicFile.write(file, channel -> AtomicFile.writeFully(channel, ByteBuffer.wrap(new byte[] {1, 2})),
                temp -> seen[0] = temp);
        assertTrue(AtomicFile.isTemporaryOf(seen[0], file));
        assertFalse(AtomicFile.isTemporaryOf(file, file));
        assertFalse(Files.exists(seen[0]));
        assertArrayEquals(new byte[] {1, 2}, Files.readAllBytes(file));
    }

    @Test
    void copiesAFile() throws IOException {
        Path source = tmp.resolve("source.bin");
        Files.write(source, new byte[] {5, 6, 7});
        AtomicFile.copy(source, tmp.resolve("out/copy.bin"));
        assertArrayEquals(new byte[] {5, 6, 7}, Files.readAllBytes(tmp.resolve("out/copy.bin")));
    }

    @Test
    void aDirectoryIsReplacedWholeOrNotAtAll() throws IOException {
        Path dir = tmp.resolve("checkpoints/step-1");
        AtomicFile.writeDirectory(dir, d -> {
            AtomicFile.write(d.resolve("a"), "1");
            AtomicFile.write(d.resolve("b"), "1");
        });
        assertThrows(IOException.class, () -> AtomicFile.writeDirectory(dir, d -> {
            AtomicFile.write(d.resolve("a"), "2");
            throw new IOException("crash mid-save");
        }));
        assertEquals("1", Files.readString(dir.resolve("a")));
        assertEquals("1", Files.readString(dir.resolve("b")));

        AtomicFile.writeDirectory(dir, d -> AtomicFile.write(d.resolve("c"), "3"));
        assertEquals(List.of(dir.resolve("c")), listing(dir));
        assertEquals(List.of(dir), listing(dir.getParent()), "the failed write's NAME.tmp is gone");
    }

    @Test
    void aPngImageIsWrittenAtomically() throws IOException {
        BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        image.setRGB(1, 1, 0xff0000);
        Path png = tmp.resolve("plots/x.png");
        PngFile.write(image, png);
        BufferedImage back = ImageIO.read(png.toFile());
        assertEquals(3, back.getWidth());
        assertEquals(0xff0000, back.getRGB(1, 1) & 0xffffff);
        assertEquals(List.of(png), listing(png.getParent()));
    }

    private static List<Path> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
