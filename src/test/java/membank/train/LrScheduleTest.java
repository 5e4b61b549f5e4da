package membank.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import membank.config.TrainConfig;

class LrScheduleTest {
    @Test
    void cosineWarmsUpThenDecaysToTheFloor() {
        LrSchedule s = new LrSchedule(TrainConfig.Schedule.COSINE, 10, 110, 0.1, 0.2);
        assertEquals(0.1, s.factor(0), 1e-12);
        assertEquals(1.0, s.factor(9), 1e-12);
        assertEquals(1.0, s.factor(10), 1e-12);
        assertEquals(0.55, s.factor(60), 1e-12);
        assertEquals(0.1, s.factor(110), 1e-12);
    }

    @Test
    void warmupStableDecayHoldsThenDecaysLinearly() {
        LrSchedule s = new LrSchedule(TrainConfig.Schedule.WSD, 10, 100, 0.0, 0.2);
        assertEquals(1.0, s.factor(50), 1e-12);
        assertEquals(1.0, s.factor(79), 1e-12);
        assertEquals(1 - 1 / 20.0, s.factor(80), 1e-12);
        assertEquals(0.5, s.factor(89), 1e-12);
        assertEquals(0.0, s.factor(99), 1e-12);
    }

    @Test
    void constantIsFlatAfterWarmup() {
        LrSchedule s = new LrSchedule(TrainConfig.Schedule.CONSTANT, 4, 100, 0.1, 0.2);
        assertEquals(0.5, s.factor(1), 1e-12);
        assertEquals(1.0, s.factor(70), 1e-12);
    }
}
