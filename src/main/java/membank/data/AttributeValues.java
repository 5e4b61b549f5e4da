package membank.data;

import java.util.List;
import java.util.stream.IntStream;

/** The fixed value lists of the knowledge set's attributes (see {@link Attribute}). */
final class AttributeValues {

    static final List<String> CITIES = List.of(
            "Lisbon", "Madrid", "Paris", "Berlin", "Vienna", "Prague", "Warsaw", "Budapest",
            "Rome", "Milan", "Athens", "Dublin", "Oslo", "Stockholm", "Helsinki", "Copenhagen",
            "Amsterdam", "Brussels", "Zurich", "Edinburgh", "Cairo", "Nairobi", "Lagos", "Accra",
            "Tokyo", "Osaka", "Seoul", "Beijing", "Shanghai", "Mumbai", "Delhi", "Bangkok",
            "Jakarta", "Manila", "Sydney", "Melbourne", "Toronto", "Montreal", "Chicago", "Boston",
            "Denver", "Seattle", "Lima", "Bogota", "Santiago", "Havana");

    /** 1940..1999: sixty values. */
    static final List<String> YEARS = IntStream.rangeClosed(1940, 1999).mapToObj(Integer::toString).toList();

    static final List<String> PROFESSIONS = List.of(
            "baker", "banker", "biologist", "butcher", "carpenter", "cashier", "chef", "chemist",
            "dentist", "designer", "doctor", "farmer", "firefighter", "fisherman", "gardener",
            "geologist", "journalist", "judge", "lawyer", "librarian", "mechanic", "midwife",
            "musician", "nurse", "painter", "pharmacist", "photographer", "physicist", "pilot",
            "plumber", "poet", "police officer", "potter", "professor", "programmer", "sailor",
            "surgeon", "tailor", "teacher", "translator", "veterinarian", "writer");

    static final List<String> COMPANIES = List.of(
            "Acme Robotics", "Bluefin Logistics", "Copperleaf Bank", "Driftwood Media",
            "Evergreen Foods", "Falconridge Mining", "Granite Software", "Harborview Hotels",
            "Ironbark Motors", "Juniper Pharma", "Kestrel Airlines", "Lumen Optics",
            "Maplestone Insurance", "Northwind Energy", "Oakhaven Textiles", "Pinecrest Labs",
            "Quartzline Telecom", "Redwood Publishing", "Silverlake Studios", "Tidewater Shipping",
            "Umbra Security", "Vantage Cloud", "Willowbrook Farms", "Xenon Chemicals",
            "Yellowstone Outfitters", "Zephyr Games", "Aurora Health", "Beacon Analytics",
            "Cobalt Engineering", "Dunmore Breweries");

    static final List<String> COLOURS = List.of(
            "red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black",
            "white", "grey", "teal", "turquoise", "navy", "maroon", "olive", "lavender", "beige",
            "gold", "silver", "crimson", "violet", "indigo", "magenta");

    static final List<String> PETS = List.of(
            "cat", "dog", "parrot", "hamster", "rabbit", "tortoise", "goldfish", "ferret",
            "canary", "guinea pig", "hedgehog", "chinchilla", "gecko", "cockatiel", "budgie",
            "snake", "pony", "lizard", "frog", "mouse", "rat", "duck", "turtle", "goat", "pig",
            "chicken", "toad", "tarantula", "donkey", "lamb");

    private AttributeValues() {
    }
}
