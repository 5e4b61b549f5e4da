package membank.config;

/** Coefficients of the router's auxiliary losses (spec section 2). */
public record RouterLossConfig(double loadBalance, double z) {
}
