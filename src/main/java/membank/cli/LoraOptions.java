package membank.cli;

import java.util.List;

import picocli.CommandLine.Option;

import membank.config.AdapterJson;
import membank.config.LoraConfig;

/** The LoRA flags of adapt and compare-adapters. */
final class LoraOptions {
    @Option(names = "--lora-r", paramLabel = "R", defaultValue = "8", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--lora-alpha", paramLabel = "A", defaultValue = "16",
            description = "LoRA alpha; the update is scaled by alpha/r (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--lora-dropout", paramLabel = "P", defaultValue = "0.05",
            description = "Dropout on LoRA's input while training (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--lora-targets", paramLabel = "NAMES", split = ",", defaultValue = "q_proj,v_proj",
            description = "Linear layers LoRA adapts, from q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj (default: ${DEFAULT-VALUE}).")
    List<String> targets;

    LoraConfig config() {
        return AdapterJson.lora(rank, alpha, dropout, targets);
    }
}
