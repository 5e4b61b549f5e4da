package membank.cli;

import org.bytedeco.pytorch.Device;

import picocli.CommandLine.Option;

import membank.model.MemoryLM;
import membank.nn.Devices;

/** {@code --device cpu|cuda|cuda:N} of every command that builds a model. */
final class DeviceOption {
    @Option(names = "--device", paramLabel = "cpu|cuda|cuda:N", defaultValue = "cpu",
            description = "Where the model, its bank, optimizer state, batches and caches live (default: ${DEFAULT-VALUE})."
                    + " CUDA needs the GPU build (mvn -Pgpu package) and an NVIDIA GPU; it is refused at start otherwise.")
    String device;

    /** The device of a command that runs as one process, checked before anything is loaded. */
    Device resolve() {
        return resolve(0);
    }

    /** {@code model} (loaded on the CPU) moved to {@code device}: weights, bank and buffers; caches made later follow it. */
    static MemoryLM onto(MemoryLM model, Device device) {
        model.to(device, false);
        return model;
    }

    /**
     * The device, checked against this build and machine before anything is loaded; a plain
     * {@code cuda} is this rank's GPU, {@code cuda:LOCAL_RANK}, as torchrun's convention has it.
     */
    Device resolve(int localRank) {
        return Devices.parse(device != null && device.strip().equals("cuda") && localRank > 0 ? "cuda:" + localRank : device);
    }
}
