package membank.cli;

import java.util.Locale;

import picocli.CommandLine.Option;

import membank.config.ModelConfig;
import membank.model.MemoryEstimate;
import membank.util.Machine;

/**
 * Refuses a run whose estimated memory exceeds what the machine has available, before anything is
 * allocated: libtorch would otherwise fail (or the kernel kill the process) once the run has started.
 */
final class MemoryCheck {
    @Option(names = "--skip-memory-check",
            description = "Start even when the estimated memory (parameters, gradients, AdamW moments, activations)"
                    + " exceeds the memory this machine has available.")
    boolean skip;

    /** @throws IllegalArgumentException with the estimate, the machine's memory and what to change */
    void require(MemoryEstimate estimate, ModelConfig model) {
        long available = Machine.availableMemory();
        if (skip || estimate.total() <= available) {
            return;
        }
        throw new IllegalArgumentException("this run needs about " + Tables.bytes(estimate.total()) + " of memory but the"
                + " machine has " + Tables.bytes(available) + " available (" + Tables.bytes(Machine.totalMemory()) + " in all): "
                + parts(estimate) + "; " + advice(estimate, model) + ". Nothing was allocated; --skip-memory-check starts"
                + " it anyway");
    }

    static String parts(MemoryEstimate e) {
        String loading = e.loadingBytes() > 0 ? ", the base checkpoint while loading " + Tables.bytes(e.loadingBytes()) : "";
        return String.format(Locale.ROOT, "parameters %s x 4 B = %s, gradients %s, AdamW moments (2 x float32) %s%s,"
                        + " activations about %s (batch %d x seq_len %d)",
                Tables.human(e.parameters()), Tables.bytes(e.parameterBytes()), Tables.bytes(e.gradientBytes()),
                Tables.bytes(e.optimizerBytes()), loading, Tables.bytes(e.activationBytes()), e.batch(), e.seqLen());
    }

    private static String advice(MemoryEstimate e, ModelConfig model) {
        if (e.bankDominates()) {
            return String.format(Locale.ROOT, "the memory bank is %s of the %s parameters (membank.num_tokens=%d): lower"
                            + " membank.num_tokens, or store the bank smaller (membank.bank kind reduced or factorized,"
                            + " quant int8 or int4; docs/config.md)",
                    Tables.human(e.bank()), Tables.human(e.parameters()), model.membank().numTokens());
        }
        if (e.activationsDominate()) {
            return "most of it is activations: lower training.batch_size (training.grad_accum keeps the effective batch)"
                    + " or training.seq_len";
        }
        return "choose a smaller model (hidden_size, num_hidden_layers, intermediate_size; membank inspect shows the"
                + " counts), train fewer parameters (membank adapt --method memory or lora), or use a machine with more memory";
    }
}
