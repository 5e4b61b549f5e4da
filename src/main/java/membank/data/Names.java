package membank.data;

import java.util.List;
import java.util.Random;

/**
 * Person names for the knowledge set: first x last, and when more are needed than that gives,
 * a middle initial as well. Small sets get plain two-word names.
 */
final class Names {

    private static final List<String> FIRST = List.of(
            "Ada", "Alan", "Amara", "Anton", "Beatrix", "Bruno", "Camila", "Cyrus", "Dalia",
            "Dmitri", "Elena", "Emeka", "Farah", "Felix", "Greta", "Gustav", "Hana", "Hugo",
            "Ingrid", "Ivan", "Jasmine", "Jonas", "Kaito", "Keira", "Lars", "Leila", "Marco",
            "Mila", "Nadia", "Nikolai", "Olga", "Oscar", "Priya", "Pablo", "Quinn", "Rosa",
            "Rafael", "Sofia", "Stefan", "Tamsin", "Tomas", "Uma", "Viktor", "Vera", "Wanda",
            "Wesley", "Ximena", "Yusuf", "Yara", "Zofia");

    private static final List<String> LAST = List.of(
            "Abbott", "Alvarez", "Bergstrom", "Brennan", "Castellano", "Chowdhury", "Delacroix",
            "Dunmore", "Eriksen", "Esposito", "Fairbanks", "Fontaine", "Gallagher", "Grimaldi",
            "Halvorsen", "Hargreaves", "Ibsen", "Iwasaki", "Jankowski", "Jovanovic", "Kaminski",
            "Kowalczyk", "Lindqvist", "Lombardi", "Mbeki", "Moreau", "Nakamura", "Novak",
            "Okafor", "Ostrowski", "Petrov", "Pellegrini", "Quintero", "Radcliffe", "Rasmussen",
            "Sandoval", "Szabo", "Takahashi", "Thornbury", "Ueda", "Urquhart", "Valdez",
            "Vasquez", "Whitfield", "Wojcik", "Xu", "Yamamoto", "Yilmaz", "Zelenko", "Zimmermann");

    private static final int PLAIN = FIRST.size() * LAST.size();
    private static final int INITIALS = 26;

    private Names() {
    }

    /** Every word a name can be made of: first names, last names and the middle initials' letters. */
    static List<String> parts() {
        List<String> parts = new java.util.ArrayList<>(FIRST);
        parts.addAll(LAST);
        for (int i = 0; i < INITIALS; i++) {
            parts.add(String.valueOf((char) ('A' + i)));
        }
        return parts;
    }

    static int capacity() {
        return PLAIN * (1 + INITIALS);
    }

    /** {@code count} distinct names in a seeded random order (a partial Fisher-Yates shuffle). */
    static List<String> draw(int count, Random rnd) {
        int space = count <= PLAIN ? PLAIN : capacity();
        int[] pool = new int[space];
        for (int i = 0; i < space; i++) {
            pool[i] = i;
        }
        String[] names = new String[count];
        for (int i = 0; i < count; i++) {
            int j = i + rnd.nextInt(space - i);
            int pick = pool[j];
            pool[j] = pool[i];
            names[i] = name(pick);
        }
        return List.of(names);
    }

    private static String name(int index) {
        int plain = index % PLAIN;
        int initial = index / PLAIN;
        String first = FIRST.get(plain / LAST.size());
        String last = LAST.get(plain % LAST.size());
        return initial == 0 ? first + " " + last : first + " " + (char) ('A' + initial - 1) + ". " + last;
    }
}
