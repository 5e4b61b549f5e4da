package membank.cli;

import java.nio.file.Path;
import java.util.Map;

import picocli.CommandLine.Option;

import membank.context.FileContextStore;

/** {@code --store DIR}: where the users' context banks are, with the default in one place. */
final class StoreOption {
    static final String HOME_VARIABLE = "MEMBANK_HOME";

    @Option(names = "--store", paramLabel = "DIR",
            description = "Directory of the context banks, one sub-directory per user (default: $MEMBANK_HOME/context"
                    + " when MEMBANK_HOME is set, else ~/.membank/context).")
    Path directory;

    FileContextStore open() {
        return new FileContextStore(directory != null ? directory
                : defaultDirectory(System.getenv(), System.getProperty("user.home")));
    }

    /** {@code $MEMBANK_HOME/context} when the variable is set and not blank, else {@code ~/.membank/context}. */
    static Path defaultDirectory(Map<String, String> environment, String userHome) {
        String home = environment.get(HOME_VARIABLE);
        if (home != null && !home.isBlank()) {
            return Path.of(home, "context");
        }
        return Path.of(userHome, ".membank", "context");
    }

    /** Refuses a user without a bank, naming the users that have one. */
    static IllegalArgumentException noBank(FileContextStore store, String user) {
        var users = store.users();
        return new IllegalArgumentException("user '" + user + "' has no context bank in " + store.root()
                + (users.isEmpty() ? " (the store holds no banks; is --store right?)"
                        : "; users with a bank: " + String.join(", ", users.size() > 10 ? users.subList(0, 10) : users)
                                + (users.size() > 10 ? ", ... (see `membank context list`)" : "")));
    }
}
