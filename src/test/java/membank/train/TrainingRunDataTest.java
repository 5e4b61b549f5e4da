package membank.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import membank.config.AdapterMethod;
import membank.config.ConfigJson;
import membank.config.RunConfig;
import membank.model.Checkpoint;
import membank.model.MemoryFreeze;
import membank.nn.Precision;

/** Runs on files: the split recorded and reused, and a failure after training that leaves the model saved. */
class TrainingRunDataTest {
    @TempDir
    Path tmp;

    /** One folder holding one text file: too few documents for every 20th, so split by tokens. */
    private Path oneFileFolder() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("corpus"));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            text.append("Line ").append(i).append(" of the only file in this folder.\n");
        }
        Files.writeString(folder.resolve("only.txt"), text);
        return folder;
    }

    @Test
    void aOneFileFolderTrainsSplitByTokensAndResumesWithTheSameSplit() throws Exception {
        Path data = oneFileFolder();
        RunConfig run = TrainingRunTest.tiny("training.steps=6", "training.save_every=3", "training.eval_every=0",
                "training.warmup_steps=1", "training.batch_size=2", "training.seq_len=32", "training.data.kind=text",
                "training.data.path=" + data);
        TrainingRun.fresh(run, tmp.resolve("whole"), Precision.FP32).quiet().train();
        TrainingRun.fresh(run, tmp.resolve("split"), Precision.FP32).quiet().trainUntil(3);
        JsonNode recorded = ConfigJson.read(tmp.resolve("split/checkpoints/step-0000003/config.json")).at("/training/data/split");
        assertEquals("tokens", recorded.get("by").asText(), recorded.toString());
        assertEquals(0.05, recorded.get("fraction").asDouble(), "a 4,700-token text holds out just val_fraction");
        TrainingRun.resume(tmp.resolve("split"), null, Precision.FP32).quiet().train();

        assertEquals(recorded, ConfigJson.read(tmp.resolve("whole/config.json")).at("/training/data/split"));
        Map<String, Tensor> whole = Checkpoint.load(tmp.resolve("whole")).namedTensors();
        Map<String, Tensor> split = Checkpoint.load(tmp.resolve("split")).namedTensors();
        whole.forEach((name, t) -> assertTrue(org.bytedeco.pytorch.global.torch.equal(t, split.get(name)),
                name + " differs after resume"));
    }

    /** 20 files: the 20th is the validation document, and two small steps never reach it. */
    private Path twentyFiles() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("docs"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(data.resolve(String.format("doc-%02d.txt", i)), ("Document " + i + " says hello. ").repeat(12));
        }
        return data;
    }

    /** Not UTF-8: reading it fails. */
    private static void corrupt(Path file) throws Exception {
        Files.write(file, new byte[] {'o', 'k', (byte) 0xFF});
    }

    @Test
    void anEvaluationFailingAfterTrainingLeavesTheModelSavedAndSaysWhere() throws Exception {
        Path data = twentyFiles();
        RunConfig run = TrainingRunTest.tiny("training.steps=2", "training.eval_every=0", "training.batch_size=2",
                "training.seq_len=32", "training.data.kind=text", "training.data.path=" + data);
        Path dir = tmp.resolve("run");
        TrainingRun training = TrainingRun.fresh(run, dir, Precision.FP32).quiet();
        corrupt(data.resolve("doc-19.txt"));
        AfterTrainingException e = assertThrows(AfterTrainingException.class, training::train);
        assertTrue(e.getMessage().startsWith("training finished and the model is saved in " + dir
                + "; the evaluation afterwards failed: "), e.getMessage());
        assertTrue(e.getMessage().contains("doc-19.txt"), e.getMessage());
        assertEquals(dir, e.saved());
        assertEquals(run.model(), Checkpoint.load(dir).config(), "the saved model loads");
        assertEquals("documents", ConfigJson.read(dir.resolve("config.json")).at("/training/data/split/by").asText());
    }

    @Test
    void anAdapterWhoseEvaluationFailsAfterTrainingIsSavedWithItsTokenizer() throws Exception {
        Path base = tmp.resolve("base");
        TrainingRun.fresh(TrainingRunTest.tiny("membank=null", "training.steps=1", "training.eval_every=0",
                "training.data.entities=4"), base, Precision.FP32).quiet().train();
        Path data = twentyFiles();
        RunConfig run = RunConfig.parse(Adaptation.configTree(base, AdapterMethod.MEMORY, List.of("membank.num_tokens=32",
                "training.steps=2", "training.batch_size=2", "training.seq_len=32", "training.data.kind=text",
                "training.data.path=" + data)));
        Adaptation adaptation = new Adaptation(base, AdapterMethod.MEMORY, null, MemoryFreeze.of("none"), run);
        Corpus corpus = adaptation.openData();
        Path out = tmp.resolve("adapter");
        TrainingRun training = adaptation.start(adaptation.model(Precision.FP32), corpus, out, Precision.FP32).quiet();
        corrupt(data.resolve("doc-19.txt"));
        AfterTrainingException e = assertThrows(AfterTrainingException.class, training::train);
        assertTrue(e.getMessage().startsWith("training finished and the adapter is saved in " + out + "; the evaluation"
                + " afterwards failed: "), e.getMessage());
        for (String file : List.of("adapter_config.json", "adapter_model.safetensors", "training.json", "tokenizer.json")) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file);
        }
        assertEquals("documents", ConfigJson.read(out.resolve("training.json")).at("/data/split/by").asText());
    }
}
