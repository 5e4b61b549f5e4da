package membank.data;

/**
 * One sentence pattern with {@code {name}} and {@code {value}} placeholders. The value is
 * preceded by a space so that a probe's prompt ends right before it and the answer starts with
 * that space, the way a left-to-right model predicts it.
 */
record Template(String pattern) {

    Template {
        int v = pattern.indexOf(" {value}");
        if (!pattern.contains("{name}") || v < 0 || pattern.indexOf("{name}") > v) {
            throw new IllegalArgumentException("template needs {name} before \" {value}\": " + pattern);
        }
    }

    String render(String name, String value) {
        return prompt(name) + " " + value + pattern.substring(pattern.indexOf(" {value}") + 8);
    }

    /** The sentence up to, not including, the space before the value. */
    String prompt(String name) {
        return pattern.substring(0, pattern.indexOf(" {value}")).replace("{name}", name);
    }
}
