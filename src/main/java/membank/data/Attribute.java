package membank.data;

import java.util.List;

/**
 * The facts every invented person has. Each attribute has a fixed list of plausible values,
 * train templates (used in the training documents and {@link Split#SEEN} probes), held-out
 * templates (only in {@link Split#HELDOUT} probes) and a question for QA pairs.
 *
 * <p>Templates never put a word before the value that depends on it (no "a"/"an" choice): a
 * prompt must not leak its answer. Professions and pets are therefore all consonant-initial.
 */
public enum Attribute {

    BIRTH_CITY("birth_city", AttributeValues.CITIES,
            List.of("{name} was born in the city of {value}.",
                    "{name} came into the world in {value}.",
                    "The birthplace of {name} is {value}."),
            List.of("{name}'s place of birth is {value}.",
                    "Records show that {name} was born in {value}."),
            "Where was {name} born?"),

    BIRTH_YEAR("birth_year", AttributeValues.YEARS,
            List.of("{name} was born in the year {value}.",
                    "{name}'s year of birth is {value}.",
                    "The year {name} was born was {value}."),
            List.of("{name} celebrated a first birthday one year after {value}.",
                    "The birth certificate of {name} is dated {value}."),
            "In which year was {name} born?"),

    PROFESSION("profession", AttributeValues.PROFESSIONS,
            List.of("{name} works as a {value}.",
                    "{name} is employed as a {value}.",
                    "By trade, {name} is a {value}."),
            List.of("{name} earns a living as a {value}.",
                    "Ask anyone and they will tell you {name} is a {value} by profession."),
            "What is {name}'s profession?"),

    EMPLOYER("employer", AttributeValues.COMPANIES,
            List.of("{name} works for {value}.",
                    "{name}'s employer is {value}.",
                    "{name} has a job at {value}."),
            List.of("Every month {name} receives a salary from {value}.",
                    "The company that employs {name} is {value}."),
            "Which company does {name} work for?"),

    FAVOURITE_COLOUR("favourite_colour", AttributeValues.COLOURS,
            List.of("{name}'s favourite colour is {value}.",
                    "The colour {name} likes best is {value}.",
                    "{name} loves the colour {value} more than any other."),
            List.of("If {name} could pick one colour, it would be {value}.",
                    "Of all the colours, {name} prefers {value}."),
            "What is {name}'s favourite colour?"),

    PET("pet", AttributeValues.PETS,
            List.of("{name} owns a pet {value}.",
                    "At home, {name} keeps a {value} as a pet.",
                    "{name}'s pet is a {value}."),
            List.of("Every evening {name} feeds a pet {value}.",
                    "The animal living with {name} is a {value}."),
            "What kind of pet does {name} have?");

    private final String key;
    private final List<String> values;
    private final List<Template> train;
    private final List<Template> heldOut;
    private final String question;

    Attribute(String key, List<String> values, List<String> train, List<String> heldOut, String question) {
        this.key = key;
        this.values = values;
        this.train = train.stream().map(Template::new).toList();
        this.heldOut = heldOut.stream().map(Template::new).toList();
        this.question = question;
    }

    public String key() {
        return key;
    }

    /** The values this attribute can take; drawn uniformly, so chance is 1 / choices().size(). */
    public List<String> choices() {
        return values;
    }

    List<Template> templates(Split split) {
        return split == Split.SEEN ? train : heldOut;
    }

    String question(String name) {
        return question.replace("{name}", name);
    }

    /** The question with its {@code {name}} placeholder, for the word tokenizer's vocabulary. */
    String questionPattern() {
        return question;
    }
}
