package membank.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Experiment files: what a valid one parses to, and errors that name the key. */
class ExperimentJsonTest {
    private static Experiment parse(String json) throws Exception {
        return ExperimentJson.parse(ExperimentRunnerTest.tree(json), "test.json");
    }

    private static String error(String json) {
        return assertThrows(IllegalArgumentException.class, () -> parse(json)).getMessage();
    }

    @Test
    void parsesArmsPhasesAndSeeds() throws Exception {
        Experiment e = parse(ExperimentRunnerTest.TINY);
        assertEquals("tiny", e.name());
        assertEquals(List.of("memory", "iso-flop", "frozen-bank"), e.arms().stream().map(Arm::name).toList());
        assertEquals(Budget.steps(4), e.pretrain().budget());
        assertEquals(1e-4, e.instruct().bankLr());
        assertEquals(null, e.instruct().memoryLr());
        assertEquals(List.of(0L), e.seeds());
        assertEquals(1, e.evalBatches());
    }

    @Test
    void shippedExperimentsAreValid() {
        for (String name : ExperimentFiles.shipped()) {
            ExperimentFiles.Source s = ExperimentFiles.load(name);
            Experiment e = ExperimentJson.parse(s.tree(), s.name());
            assertTrue(e.arms().stream().anyMatch(a -> a.kind() == ArmKind.MEMORY), name);
            if (name.equals("quick")) {
                assertEquals(ArmKind.labels(), e.arms().stream().map(a -> a.kind().label()).toList(), name);
            }
        }
    }

    @Test
    void errorsNameTheKey() {
        String tiny = ExperimentRunnerTest.TINY;
        assertTrue(error(tiny.replace("{\"kind\": \"iso-flop\"}", "{\"kind\": \"backbone\", \"colour\": 1}"))
                .contains("'arms[1].colour' is unknown"));
        assertTrue(error(tiny.replace("\"kind\": \"iso-flop\"", "\"kind\": \"bigger\"")).contains("'arms[1].kind'"));
        assertTrue(error(tiny.replace("\"steps\": 3", "\"steps\": -3")).contains("'phases.instruct.steps' has value -3"));
        assertTrue(error(tiny.replace("\"seeds\": [0],", "")).contains("'seeds' is missing"));
        assertTrue(error(tiny.replace("\"steps\": 4,", "\"steps\": 4, \"exposures\": 3,"))
                .contains("'phases.pretrain' needs exactly one budget"));
        assertTrue(error(tiny.replace("\"steps\": 4,", "")).contains("it has none"));
        assertTrue(error(tiny.replace("\"steps\": 4,", "\"steps\": 4, \"min_steps\": 8,")).contains("only raises"));
        assertTrue(error(tiny.replace("\"arms\":", "\"sweep\": {\"name\": \"people\", \"key\": \"training.data.entities\","
                + " \"values\": [4, 4]}, \"arms\":")).contains("each point needs its own label"));
        assertTrue(error(tiny.replace("\"arms\":", "\"sweep\": {\"name\": \"n\", \"key\": \"membank.num_tokens\","
                + " \"values\": [2048, -1]}, \"arms\":")).contains("at sweep point -1"));
        String corpus = error(tiny.replace("\"base\":", "\"corpus\": {\"path\": \"/no/such/gcide.dict.dz\","
                + " \"install\": \"apt-get install dict-gcide\"}, \"base\":"));
        assertTrue(corpus.contains("/no/such/gcide.dict.dz") && corpus.contains("apt-get install dict-gcide"), corpus);
        assertTrue(error(tiny.replace("\"seeds\": [0]", "\"seeds\": [0, 0]")).contains("'seeds[1]'"));
        assertTrue(error(tiny.replace("\"preset\": \"tiny\"", "\"preset\": \"huge\"")).contains("'base.preset'"));
        assertTrue(error(tiny.replace(", \"entities\": 4}", "}")).contains("'phases.instruct.entities' is missing"));
        assertTrue(error(tiny.replace("{\"kind\": \"iso-flop\"}", "{\"kind\": \"memory\"}")).contains("'arms[1].name'"));
        assertTrue(error(tiny.replace("{\"kind\": \"iso-flop\"}", "{\"kind\": \"backbone\", \"baseline\": \"wider\"}"))
                .contains("'arms[1].baseline'"));
        assertTrue(error(tiny.replace("\"training.precision=fp32\"", "\"membank.variant=Z\"")).contains("base.set"));
        assertTrue(error(tiny.replace("\"training.precision=fp32\"", "\"membank=null\"")).contains("no memory"));
    }
}
