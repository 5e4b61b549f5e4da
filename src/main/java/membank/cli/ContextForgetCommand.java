package membank.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import membank.context.ContextStoreException;
import membank.context.FileContextStore;
import membank.context.StoredBank;

@Command(name = "forget", mixinStandardHelpOptions = true,
        description = {"Deletes one user's context bank, without asking, and prints what was removed.",
                "Works on damaged banks too. A user without a bank is not an error."},
        footer = {"", "Examples:", "  membank context forget --user alice"})
final class ContextForgetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    StoreOption storeOption;

    @Option(names = "--user", required = true, paramLabel = "NAME", description = "Whose bank to delete.")
    String user;

    @Override
    public Integer call() {
        FileContextStore store = storeOption.open();
        String what = description(store);
        boolean removed = store.delete(user);
        PrintWriter out = spec.commandLine().getOut();
        if (removed) {
            out.printf(Locale.ROOT, "removed the context bank of user '%s': %s (%s)%n", user, what, store.bankFile(user));
        } else {
            out.printf(Locale.ROOT, "user '%s' has no context bank in %s; nothing removed%n", user, store.root());
        }
        out.flush();
        return 0;
    }

    /** What the bank held, from its header; a damaged bank is removed all the same. */
    private String description(FileContextStore store) {
        try {
            Optional<StoredBank> stored = store.stored(user);
            return stored.map(b -> String.format(Locale.ROOT, "%,d vectors of width %d, %s", b.rows(), b.dim(),
                    Tables.bytes(b.bytes()))).orElse("");
        } catch (ContextStoreException e) {
            return "a damaged bank";
        }
    }
}
