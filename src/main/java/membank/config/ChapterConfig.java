package membank.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Mixture of Chapters (spec section 2): the bank is split into {@code count} chapters, the first
 * {@code shared} always read, the router picks {@code topK} of the rest. The {@code membank.chapters}
 * block; its defaults are those of {@link Builder}. That {@code count} divides the bank is checked by
 * {@link MemoryConfig}, which knows the bank.
 */
public record ChapterConfig(int count, int topK, int shared, double routedScale, RoutingMode routing,
                            Mixing mixing) {
    static final String PATH = "membank.chapters";

    /** How the routed chapters' scores are normalised: each chapter alone, or jointly over all chapters read. */
    public enum Mixing {
        INDEPENDENT, JOINT;

        /** The config spelling, as the bench's --mixing takes it too. */
        public static Mixing of(String name) {
            for (Mixing m : values()) {
                if (m.toString().equals(name)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("mixing '" + name + "': allowed: independent, joint");
        }

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ChapterConfig {
        Require.positive(PATH + ".count", count);
        Require.inRange(PATH + ".shared", shared, 0, count - 1);
        Require.inRange(PATH + ".top_k", topK, 1, count - shared);
        Require.positive(PATH + ".routed_scale", routedScale);
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(mixing, "mixing");
    }

    /** {@code count} chapters of which the router picks {@code topK}; every other key at its default. */
    public static ChapterConfig of(int count, int topK) {
        return new Builder().count(count).topK(topK).build();
    }

    public Builder toBuilder() {
        return new Builder().count(count).topK(topK).shared(shared).routedScale(routedScale).routing(routing).mixing(mixing);
    }

    /** The same chapters with the changes {@code edit} makes, e.g. {@code c.with(b -> b.topK(2))}. */
    public ChapterConfig with(UnaryOperator<Builder> edit) {
        return edit.apply(toBuilder()).build();
    }

    /** The block's keys with their defaults; {@code count} and {@code top_k} are required. */
    public static final class Builder {
        @JsonProperty("count")
        private Integer count;
        @JsonProperty("top_k")
        private Integer topK;
        @JsonProperty("shared")
        private int shared = 0;
        @JsonProperty("routed_scale")
        private double routedScale = 1.0;
        @JsonProperty("routing")
        private RoutingMode routing = RoutingMode.SEQUENCE;
        @JsonProperty("mixing")
        private Mixing mixing = Mixing.INDEPENDENT;

        public Builder count(int value) {
            count = value;
            return this;
        }

        public Builder topK(int value) {
            topK = value;
            return this;
        }

        public Builder shared(int value) {
            shared = value;
            return this;
        }

        public Builder routedScale(double value) {
            routedScale = value;
            return this;
        }

        public Builder routing(RoutingMode value) {
            routing = value;
            return this;
        }

        public Builder mixing(Mixing value) {
            mixing = value;
            return this;
        }

        public ChapterConfig build() {
            int c = Require.positive(PATH + ".count", Require.present(PATH + ".count", count, "an integer"));
            return new ChapterConfig(c, Require.present(PATH + ".top_k", topK, "an integer"), shared, routedScale,
                    routing, mixing);
        }
    }
}
