package membank.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Coefficients of the router's auxiliary losses (spec section 2): the {@code membank.router_losses} block. */
public record RouterLossConfig(double loadBalance, double z) {
    static final String PATH = "membank.router_losses";

    public RouterLossConfig {
        Require.nonNegative(PATH + ".load_balance", loadBalance);
        Require.nonNegative(PATH + ".z", z);
    }

    /** The coefficients a chaptered memory gets when the block is absent. */
    public static RouterLossConfig defaults() {
        return new Builder().build();
    }

    /** The block's keys with their defaults. */
    public static final class Builder {
        @JsonProperty("load_balance")
        private double loadBalance = 0.01;
        @JsonProperty("z")
        private double z = 0.001;

        public Builder loadBalance(double value) {
            loadBalance = value;
            return this;
        }

        public Builder z(double value) {
            z = value;
            return this;
        }

        public RouterLossConfig build() {
            return new RouterLossConfig(loadBalance, z);
        }
    }
}
