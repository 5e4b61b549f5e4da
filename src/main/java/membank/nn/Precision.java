package membank.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.DeviceType;

/**
 * Compute precision of the forward pass. bf16 means autocast to bfloat16 with float32 master
 * weights and optimizer state; {@code auto} picks bf16 when the CPU has native bf16 instructions.
 */
public enum Precision {
    FP32, BF16;

    public static Precision resolve(String name) {
        return switch (name) {
            case "fp32" -> FP32;
            case "bf16" -> BF16;
            case "auto" -> auto();
            default -> throw new IllegalArgumentException("precision '" + name + "': allowed: auto, fp32, bf16");
        };
    }

    /** bf16 when the CPU has native bf16 instructions, else fp32. */
    private static Precision auto() {
        return cpuHasBf16() ? BF16 : FP32;
    }

    /** AVX512-BF16 or AMX-BF16 in /proc/cpuinfo; elsewhere bf16 would be emulated and slow. */
    public static boolean cpuHasBf16() {
        try {
            String info = Files.readString(Path.of("/proc/cpuinfo"));
            return info.contains("avx512_bf16") || info.contains("amx_bf16");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Enables CPU autocast for this precision until closed; closing also drops autocast's weight cache. */
    public Autocast autocast() {
        return new Autocast(this == BF16, DeviceType.CPU);
    }

    /** {@link #autocast()} for the kernels of {@code device}'s type (CUDA's for a model on a GPU). */
    public Autocast autocast(Device device) {
        return new Autocast(this == BF16, device.type());
    }

    public String label() {
        return name().toLowerCase();
    }
}
