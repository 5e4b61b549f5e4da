package membank.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.bytedeco.pytorch.Device;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import membank.config.RunConfig;
import membank.model.MemoryEstimate;
import membank.nn.Precision;
import membank.train.Corpus;
import membank.train.RunSummary;
import membank.train.TrainingRun;
import membank.util.DirectoryLock;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a model from scratch on the knowledge set, text or JSONL (a file, a folder, or gzip).",
                "Writes the model (config.json, model.safetensors, tokenizer.json), metrics.jsonl and",
                "checkpoints/step-N to --out; --resume DIR continues a run exactly where it stopped."},
        footer = {"", "Examples:",
                "  membank train --preset small --out runs/small",
                "  membank train --preset tiny --set membank.variant=B --set membank.layers=[0,1] --steps 200",
                "  membank train --preset small --data corpus/ --set training.data.tokenizer=qwen/tokenizer.json",
                "  membank train --resume runs/small --steps 800",
                "  membank train --preset small --nproc 2 --out runs/small-dp      (data-parallel, docs/distributed.md)",
                "  membank train --preset small --rank 0 --world-size 2 --master 10.0.0.1:29500 --out /shared/run",
                "  membank train --preset small --dry-run"})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config;

    @Option(names = "--data", paramLabel = "knowledge|PATH",
            description = "Training data: " + DataFlag.HELP + ".")
    String data;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps (training.steps).")
    Integer steps;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<preset or config name>).")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its latest checkpoint.")
    Path resume;

    @Option(names = "--precision", paramLabel = "auto|fp32|bf16",
            description = "bf16 autocast with float32 master weights, fp32, or auto (bf16 where the CPU has it).")
    String precision;

    @Option(names = "--seed", paramLabel = "S", description = "Seed for initialisation and data order (training.seed).")
    Long seed;

    @Option(names = "--save-every", paramLabel = "N", description = "Checkpoint every N steps (training.save_every).")
    Integer saveEvery;

    @Option(names = "--dry-run", description = "Print the resolved configuration and exit.")
    boolean dryRun;

    @Mixin
    MemoryCheck memory;

    @Mixin
    DistributedOptions distributed;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        // an unusable device is refused before any data is read or rank started
        Device where = device.resolve(distributed.localRank());
        if (distributed.launches()) {
            return distributed.launch(spec);
        }
        if (resume != null) {
            return resumeRun(where);
        }
        ObjectNode root = config.resolve("small", shortcuts());
        RunConfig run = RunConfig.parse(root);
        if (dryRun) {
            out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(run.toJson()));
            return 0;
        }
        Path dir = out != null ? out : Path.of("runs", config.name("small"));
        memory.require(MemoryEstimate.training(run.model(), run.training()), run.model());
        Precision p = run.training().precision().resolve();
        // The data is checked before the directory is taken: a refused run leaves nothing behind.
        Corpus corpus = Corpus.open(run.training(), run.model());
        DataFlag.log(spec, corpus);
        try (JobRank rank = JobRank.join(distributed.rendezvous(), where);
             DirectoryLock lock = rank.lock(() -> RunDirectories.lockOut(dir))) {
            System.err.printf("membank train: %s -> %s (%s, %d steps)%n", config.name("small"), dir, p.label(), run.training().steps());
            report(rank, rank.run(() -> TrainingRun.fresh(run, corpus, dir, p, rank.parallel()).train()));
        }
        return 0;
    }

    private Integer resumeRun(Device where) {
        if (config.source != null || !config.assignments.isEmpty() || data != null || seed != null || saveEvery != null) {
            throw new IllegalArgumentException("--resume continues a run with the configuration saved in it; only"
                    + " --steps and --precision may be given with it");
        }
        if (!Files.isDirectory(resume)) {
            throw new IllegalArgumentException("--resume " + resume + ": no such directory");
        }
        Precision p = Precision.resolve(precision != null ? precision : "auto");
        try (JobRank rank = JobRank.join(distributed.rendezvous(), where);
             DirectoryLock lock = rank.lock(() -> RunDirectories.lockResumed(resume))) {
            RunConfig run = TrainingRun.resumedConfig(resume, steps);
            memory.require(MemoryEstimate.training(run.model(), run.training()), run.model());
            report(rank, rank.run(() -> logged(TrainingRun.resume(resume, steps, p, model -> { }, rank.parallel())).train()));
        }
        return 0;
    }

    private TrainingRun logged(TrainingRun run) {
        DataFlag.log(spec, run.corpus());
        return run;
    }

    /** The convenience flags are --set assignments under another name. */
    private List<String> shortcuts() {
        List<String> extra = TrainingFlags.with(List.of(), steps, precision, seed);
        if (saveEvery != null) {
            extra.add("training.save_every=" + saveEvery);
        }
        if (data != null) {
            extra.addAll(DataFlag.assignments(data));
        }
        return extra;
    }

    private void report(JobRank rank, RunSummary s) {
        if (!rank.writes()) {
            return;
        }
        out().println(Tables.summary(List.of(s)));
        out().println("model written to " + s.dir());
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
