package membank.model;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** The safetensors dtype names membank reads and writes, with their libtorch type and width. */
enum DType {
    F64(ScalarType.Double, 8),
    F32(ScalarType.Float, 4),
    F16(ScalarType.Half, 2),
    BF16(ScalarType.BFloat16, 2),
    I64(ScalarType.Long, 8),
    I32(ScalarType.Int, 4),
    I16(ScalarType.Short, 2),
    I8(ScalarType.Char, 1),
    U8(ScalarType.Byte, 1),
    BOOL(ScalarType.Bool, 1);

    final ScalarType scalarType;
    final int bytes;

    DType(ScalarType scalarType, int bytes) {
        this.scalarType = scalarType;
        this.bytes = bytes;
    }

    /** The dtype with this safetensors name, or null when membank does not support it. */
    static DType byName(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /**
     * The dtype of this libtorch type, or null when safetensors (or membank) has no name for it.
     * Compares the numeric value: JavaCPP hands back ScalarType objects that are not the enum constants.
     */
    static DType of(ScalarType type) {
        for (DType d : values()) {
            if (d.scalarType.value == type.value) {
                return d;
            }
        }
        return null;
    }

    static String supportedNames() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
