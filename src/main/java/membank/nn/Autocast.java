package membank.nn;

import static org.bytedeco.pytorch.global.torch.clear_cache;
import static org.bytedeco.pytorch.global.torch.set_autocast_dtype;
import static org.bytedeco.pytorch.global.torch.set_autocast_enabled;

import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * bf16 autocast for a try-with-resources block, on the device type the model computes on (at::autocast
 * keeps a switch and a dtype per device type: CPU autocast does nothing to CUDA kernels and the
 * reverse); a no-op when disabled.
 */
public final class Autocast implements AutoCloseable {
    private final boolean enabled;
    private final DeviceType type;

    Autocast(boolean enabled, DeviceType type) {
        this.enabled = enabled;
        this.type = type;
        if (enabled) {
            set_autocast_dtype(type, ScalarType.BFloat16);
            set_autocast_enabled(type, true);
        }
    }

    @Override
    public void close() {
        if (enabled) {
            set_autocast_enabled(type, false);
            clear_cache();
        }
    }
}
