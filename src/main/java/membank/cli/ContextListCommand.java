package membank.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import membank.context.ContextStoreException;
import membank.context.FileContextStore;
import membank.context.StoredBank;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"The users that have a context bank, with its rows, width and bytes on disk.",
                "Reads only the files' headers (fast; checksums are verified by `membank context inspect`)."},
        footer = {"", "Examples:", "  membank context list", "  membank context list --store /srv/membank/context"})
final class ContextListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    StoreOption storeOption;

    @Override
    public Integer call() {
        FileContextStore store = storeOption.open();
        PrintWriter out = spec.commandLine().getOut();
        List<String> users = store.users();
        if (users.isEmpty()) {
            out.println("no context banks in " + store.root());
            out.flush();
            return 0;
        }
        out.printf(Locale.ROOT, "context banks in %s%n", store.root());
        out.printf(Locale.ROOT, "  %-24s %10s %6s %12s%n", "user", "vectors", "width", "on disk");
        for (String user : users) {
            out.println(row(store, user));
        }
        out.printf(Locale.ROOT, "%d user%s%n", users.size(), users.size() == 1 ? "" : "s");
        out.flush();
        return 0;
    }

    private static String row(FileContextStore store, String user) {
        try {
            StoredBank b = store.stored(user).orElse(null);
            if (b == null) {
                return String.format(Locale.ROOT, "  %-24s (removed meanwhile)", user);
            }
            return String.format(Locale.ROOT, "  %-24s %,10d %6d %12s", user, b.rows(), b.dim(), Tables.bytes(b.bytes()));
        } catch (ContextStoreException e) {
            return String.format(Locale.ROOT, "  %-24s unreadable: see `membank context inspect --user %s`", user, user);
        }
    }
}
