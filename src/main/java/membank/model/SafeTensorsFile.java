package membank.model;

import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/** A whole safetensors file: its {@code __metadata__} strings (empty when none) and its tensors in header order. */
public record SafeTensorsFile(Map<String, String> metadata, Map<String, Tensor> tensors) {
}
