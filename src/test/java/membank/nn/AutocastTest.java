package membank.nn;

import static org.bytedeco.pytorch.global.torch.get_autocast_dtype;
import static org.bytedeco.pytorch.global.torch.is_autocast_enabled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * bf16 autocast is switched on for the device type the model computes on, and only for it:
 * at::autocast keeps one switch and one dtype per device type. A CUDA device can be named without a
 * GPU (only its switch is set, no kernel runs), so the CUDA choice is checked here too.
 */
class AutocastTest {
    @Test
    void bf16SwitchesOnTheModelsDeviceTypeOnlyUntilClosed() {
        try (Autocast ignored = Precision.BF16.autocast(Devices.cpu())) {
            assertTrue(is_autocast_enabled(DeviceType.CPU));
            assertFalse(is_autocast_enabled(DeviceType.CUDA));
            assertEquals(ScalarType.BFloat16.value, get_autocast_dtype(DeviceType.CPU).value);
        }
        assertFalse(is_autocast_enabled(DeviceType.CPU));
        try (Autocast ignored = Precision.BF16.autocast(new Device("cuda:1"))) {
            assertTrue(is_autocast_enabled(DeviceType.CUDA));
            assertFalse(is_autocast_enabled(DeviceType.CPU));
            assertEquals(ScalarType.BFloat16.value, get_autocast_dtype(DeviceType.CUDA).value);
        }
        assertFalse(is_autocast_enabled(DeviceType.CUDA));
    }

    @Test
    void fp32SwitchesNothingOn() {
        try (Autocast ignored = Precision.FP32.autocast(Devices.cpu())) {
            assertFalse(is_autocast_enabled(DeviceType.CPU));
        }
    }
}
