package membank.nn;

import static org.bytedeco.pytorch.global.torch.clear_cache;
import static org.bytedeco.pytorch.global.torch.set_autocast_dtype;
import static org.bytedeco.pytorch.global.torch.set_autocast_enabled;

import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** CPU bf16 autocast for a try-with-resources block; a no-op when disabled. */
public final class Autocast implements AutoCloseable {
    private final boolean enabled;

    Autocast(boolean enabled) {
        this.enabled = enabled;
        if (enabled) {
            set_autocast_dtype(DeviceType.CPU, ScalarType.BFloat16);
            set_autocast_enabled(DeviceType.CPU, true);
        }
    }

    @Override
    public void close() {
        if (enabled) {
            set_autocast_enabled(DeviceType.CPU, false);
            clear_cache();
        }
    }
}
