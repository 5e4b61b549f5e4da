package membank.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import membank.nn.Precision;

/**
 * The shipped capacity and bank-size files, shrunk to toy size (fewer people, smaller banks,
 * short sequences, one seed, two exposures) but otherwise as shipped, run end to end; interrupted
 * after a unit and rerun, they give the same results table.
 */
class ShippedExperimentsTest {
    private static final List<String> TOY = List.of("training.batch_size=4", "training.seq_len=32", "training.save_every=2",
            "training.warmup_steps=1", "training.precision=fp32");

    @TempDir
    Path tmp;

    private static ObjectNode shrunk(String name) {
        ObjectNode tree = (ObjectNode) ExperimentFiles.load(name).tree().deepCopy();
        ArrayNode set = (ArrayNode) tree.with("base").withArray("set");
        TOY.forEach(set::add);
        tree.withArray("seeds").removeAll().add(0);
        ((ObjectNode) tree.with("phases").with("pretrain")).put("exposures", 2);
        tree.with("eval").put("batches", 1);
        return tree;
    }

    private static ExperimentRunner runner(ObjectNode tree, Path dir) {
        return ExperimentRunner.open(new ExperimentFiles.Source(tree, "shrunk.json"), dir, Precision.resolve("fp32"), l -> { }).quiet();
    }

    private void runsAndResumes(ObjectNode tree, int units) throws Exception {
        List<UnitResult> whole = runner(tree, tmp.resolve("whole")).run("c");
        assertEquals(units, whole.size());
        Path dir = tmp.resolve("interrupted");
        assertThrows(IllegalStateException.class, () -> runner(tree, dir).afterUnit(r -> {
            throw new IllegalStateException("stop");
        }).run("c"));
        assertEquals(1, UnitResult.results(dir).read().size());
        runner(tree, dir).run("c");
        String a = Files.readString(tmp.resolve("whole").resolve("report.md"));
        String b = Files.readString(dir.resolve("report.md"));
        assertEquals(ExperimentRunnerTest.withoutSpeed(table(a)), ExperimentRunnerTest.withoutSpeed(table(b)));
        assertTrue(a.contains("sweep-recall.png"), a);
    }

    private static String table(String report) {
        int from = report.indexOf("## Results");
        return report.substring(from, report.indexOf("## Plots", from));
    }

    @Test
    void capacityAtToySize() throws Exception {
        ObjectNode tree = shrunk("capacity");
        tree.with("sweep").withArray("values").removeAll().add(3).add(6);
        runsAndResumes(tree, 2 * 4);
    }

    @Test
    void bankSizeAtToySize() throws Exception {
        ObjectNode tree = shrunk("bank-size");
        ((ArrayNode) tree.with("base").withArray("set")).add("training.data.entities=4");
        ArrayNode points = tree.with("sweep").withArray("points");
        points.removeAll();
        for (int chapters : new int[] {4, 16}) {
            ObjectNode p = points.addObject().put("label", String.valueOf(chapters * 64));
            p.putArray("set").add("membank.num_tokens=" + chapters * 64)
                    .add("membank.chapters={\"count\": " + chapters + ", \"top_k\": 2, \"routing\": \"token\"}");
        }
        runsAndResumes(tree, 2);
    }
}
