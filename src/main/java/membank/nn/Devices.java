package membank.nn;

import static org.bytedeco.pytorch.global.torch.cuda_device_count;
import static org.bytedeco.pytorch.global.torch.cuda_is_available;

import org.bytedeco.pytorch.Device;

/**
 * The device a model, its bank, optimizer state and batches live on, from the {@code --device}
 * flag: {@code cpu} (the default), {@code cuda} or {@code cuda:N}. CUDA needs the GPU natives
 * (the {@code gpu} Maven profile) and a visible NVIDIA GPU; without them it is refused before
 * anything is loaded.
 */
public final class Devices {
    public static final String GPU_HELP = "build membank with the GPU natives (mvn -Pgpu package: libtorch's"
            + " linux-x86_64-gpu build with CUDA and NCCL from Maven Central) and run on a machine with an NVIDIA GPU and"
            + " driver; see docs/distributed.md";

    private Devices() {
    }

    public static Device cpu() {
        return new Device("cpu");
    }

    /** The device {@code flag} names, checked against what this build and machine have. */
    public static Device parse(String flag) {
        String name = flag == null ? "cpu" : flag.strip().toLowerCase(java.util.Locale.ROOT);
        if (name.equals("cpu")) {
            return cpu();
        }
        if (!name.equals("cuda") && !name.matches("cuda:\\d+")) {
            throw new IllegalArgumentException("--device " + flag + ": expected cpu, cuda or cuda:N");
        }
        if (!cuda_is_available()) {
            throw new IllegalArgumentException("--device " + flag + ": this build of membank has no CUDA (its libtorch"
                    + " natives are the CPU build) or no GPU is visible; " + GPU_HELP);
        }
        int index = name.equals("cuda") ? 0 : Integer.parseInt(name.substring(5));
        long count = cuda_device_count();
        if (index >= count) {
            throw new IllegalArgumentException("--device " + flag + ": this machine has " + count + " CUDA device(s),"
                    + " numbered 0.." + (count - 1));
        }
        return new Device("cuda:" + index);
    }

    /** "cpu", "cuda:0", ... */
    public static String name(Device device) {
        return device.str().getString();
    }
}
