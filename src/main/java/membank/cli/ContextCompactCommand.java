package membank.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.context.ContextBank;
import membank.context.ContextIndex;
import membank.context.Consolidation;
import membank.context.ConsolidationReport;
import membank.context.FileContextStore;

@Command(name = "compact", mixinStandardHelpOptions = true,
        description = {"Consolidates one user's context bank down to --to vectors: the most similar pairs merge",
                "(by cosine, less the mean importance of the pair), important vectors are protected, and the",
                "bank is saved atomically. Exact for banks up to 2,048 vectors, within clusters above."},
        footer = {"", "Examples:", "  membank context compact --user alice --to 5000",
                "  membank context compact --user alice --to 5000 --alpha 0 --beta 0 --gamma 0   # by similarity alone"})
final class ContextCompactCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    StoreOption storeOption = new StoreOption();

    @Option(names = "--user", required = true, paramLabel = "NAME", description = "Whose bank to compact.")
    String user;

    @Option(names = "--to", required = true, paramLabel = "N", description = "Most vectors the bank keeps.")
    int target;

    @Mixin
    ImportanceOptions importance = new ImportanceOptions();

    @Override
    public Integer call() {
        FileContextStore store = storeOption.open();
        ContextBank bank = store.load(user).orElseThrow(() -> StoreOption.noBank(store, user));
        ConsolidationReport report;
        try (ContextIndex index = ContextIndex.build(bank)) {
            report = Consolidation.consolidate(index, importance.config(target));
        }
        store.save(user, bank);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "user '%s': %,d -> %,d vectors (%,d merges, %s, %,d ms); standing for %,.0f remembered vectors%n",
                user, report.rowsBefore(), report.rowsAfter(), report.merges(), report.mode(), report.millis(), bank.totalMass());
        out.flush();
        return 0;
    }
}
