package membank.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import picocli.CommandLine.Option;

import membank.config.ConfigJson;
import membank.config.TrainConfig;
import membank.model.Adapters;
import membank.model.MemoryLM;
import membank.train.Adaptation;

/** {@code --adapter}: an adapter directory (from 'membank adapt' or PEFT LoRA) applied to --model. */
final class AdapterOption {
    @Option(names = "--adapter", paramLabel = "DIR",
            description = "An adapter directory (adapter_config.json + adapter_model.safetensors) to apply to --model, its base.")
    Path adapter;

    /** The training block of the adapter when one was given (what it was trained on), else the model's. */
    TrainConfig training(Path dir) {
        Path block = adapter == null ? null : adapter.resolve(Adaptation.TRAINING);
        if (block == null || !Files.isRegularFile(block)) {
            return ModelDir.training(dir);
        }
        return ConfigJson.parseTraining(ConfigJson.read(block));
    }

    /** The model in {@code dir}, with the adapter applied when one was given, in inference mode. */
    MemoryLM load(Path dir) {
        if (adapter == null) {
            return ModelDir.model(dir);
        }
        if (!Files.isDirectory(adapter)) {
            throw new IllegalArgumentException("--adapter " + adapter + ": no such directory");
        }
        MemoryLM model = Adapters.load(dir, adapter);
        model.train(false);
        return model;
    }
}
