package membank.context;

import java.util.regex.Pattern;

/**
 * The user ids a store accepts. They become directory names, so the rule keeps out path separators,
 * {@code .} and {@code ..}, hidden names and anything a shell or file system treats specially.
 */
final class UserIds {
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");

    private UserIds() {
    }

    static String check(String user) {
        if (user == null || !ALLOWED.matcher(user).matches()) {
            throw new IllegalArgumentException("user id " + (user == null ? "(none)" : "'" + user + "'")
                    + " is not allowed: use 1 to 128 characters from A-Z, a-z, 0-9 and . _ @ -,"
                    + " starting with a letter or digit (e.g. alice, user-42, bob@example.org)");
        }
        return user;
    }
}
