package membank.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Damages files the way a bad disk or copy would, for tests of what loading then says. */
public final class FileDamage {
    private FileDamage() {
    }

    /** Flips every bit of one byte in the middle of {@code tensor}'s data in a safetensors file. */
    public static void flipByteOf(Path file, String tensor) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            int headerLength = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
            JsonNode offsets = header.path(tensor).path("data_offsets");
            if (offsets.size() != 2 || offsets.get(1).asLong() <= offsets.get(0).asLong()) {
                throw new IllegalArgumentException(file + " has no non-empty tensor " + tensor);
            }
            int at = 8 + headerLength + (int) ((offsets.get(0).asLong() + offsets.get(1).asLong()) / 2);
            bytes[at] = (byte) ~bytes[at];
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
