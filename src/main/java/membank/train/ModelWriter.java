package membank.train;

import java.nio.file.Path;

import membank.model.MemoryLM;

/**
 * How a run writes its model into a directory: a whole checkpoint for training from scratch and
 * full fine-tuning, only the adapter's tensors for adapters on a frozen base.
 */
@FunctionalInterface
public interface ModelWriter {
    void write(MemoryLM model, Path dir);
}
