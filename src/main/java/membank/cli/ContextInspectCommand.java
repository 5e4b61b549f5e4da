package membank.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.context.BankStats;
import membank.context.ContextBank;
import membank.context.FileContextStore;
import membank.context.StoredBank;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"One user's context bank in detail, checksum verified.",
                "Prints rows and width, the original vectors the bank stands for (total mass), bytes on disk per"
                        + " row and per remembered vector, statistics of references, attention and recency, and the"
                        + " file. Loads and verifies the whole bank; a damaged bank is reported with what to do."},
        footer = {"", "Examples:", "  membank context inspect --user alice"})
final class ContextInspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    StoreOption storeOption;

    @Option(names = "--user", required = true, paramLabel = "NAME", description = "Whose bank.")
    String user;

    @Override
    public Integer call() {
        FileContextStore store = storeOption.open();
        ContextBank bank = store.load(user).orElseThrow(() -> StoreOption.noBank(store, user));
        StoredBank stored = store.stored(user).orElseThrow(() -> StoreOption.noBank(store, user));
        BankStats s = BankStats.of(bank);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "context bank of user '%s'%n", user);
        out.printf(Locale.ROOT, "  file:               %s%n", stored.file());
        out.printf(Locale.ROOT, "  checksum:           crc32c %s, matches the data%n", stored.checksum());
        out.printf(Locale.ROOT, "  vectors:            %,d rows of width %d (float32)%n", s.rows(), s.dim());
        out.printf(Locale.ROOT, "  remembered vectors: %s (total mass%s)%n", number(s.totalMass()),
                s.rows() == 0 ? "" : String.format(Locale.ROOT, ", %.2f per row", s.totalMass() / s.rows()));
        out.printf(Locale.ROOT, "  on disk:            %s (%,d B)%s%n", Tables.bytes(stored.bytes()), stored.bytes(),
                s.rows() == 0 ? "" : String.format(Locale.ROOT, ", %,.1f B per row, %,.1f B per remembered vector",
                        stored.bytes() / (double) s.rows(), stored.bytes() / s.totalMass()));
        if (s.rows() > 0) {
            out.printf(Locale.ROOT, "  references:         min %s, mean %.2f, max %s%n", number(s.referencesMin()),
                    s.referencesMean(), number(s.referencesMax()));
            out.printf(Locale.ROOT, "  attention:          mean %.4f (of each row's running mean weight)%n", s.attentionMean());
            out.printf(Locale.ROOT, "  last used:          steps %d to %d%n", s.lastUsedMin(), s.lastUsedMax());
        }
        out.flush();
        return 0;
    }

    private static String number(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%,.2f", v);
    }
}
