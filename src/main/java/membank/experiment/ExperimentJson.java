package membank.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import membank.config.DataConfig;
import membank.config.Presets;
import membank.config.RunConfig;

/**
 * Reads an experiment file (docs/experiments.md has the format) and validates it at once: unknown
 * keys, bad values, a base that is not a memory model trained on the knowledge set, and overrides
 * that do not make a valid configuration are all reported with the key that holds them.
 */
public final class ExperimentJson {
    private static final List<String> TOP = List.of("name", "description", "corpus", "base", "sweep", "arms", "phases", "seeds", "eval");
    private static final List<String> SWEEP = List.of("name", "key", "values", "points");
    private static final List<String> POINT = List.of("label", "set");
    private static final List<String> CORPUS = List.of("path", "install");
    private static final List<String> BASE = List.of("preset", "set");
    private static final List<String> ARM = List.of("kind", "name", "set", "baseline");
    private static final List<String> PHASES = List.of(Phase.PRETRAIN, Phase.INSTRUCT);
    private static final List<String> PRETRAIN = List.of("steps", "exposures", "flops", "min_steps", "lr", "bank_lr",
            "memory_lr", "freeze_bank", "set");
    private static final List<String> INSTRUCT = List.of("steps", "exposures", "flops", "min_steps", "lr", "bank_lr",
            "memory_lr", "freeze_bank", "entities", "set");
    private static final List<String> EVAL = List.of("batches");
    private static final String NAME_PATTERN = "[A-Za-z0-9._-]+";

    private ExperimentJson() {
    }

    /** {@code source} names the file in messages. */
    public static Experiment parse(JsonNode root, String source) {
        FileKeys top = FileKeys.root(root, source);
        top.rejectUnknown(TOP);
        String name = named(top, "name", top.string("name", null));
        FileKeys base = top.child("base");
        base.rejectUnknown(BASE);
        String preset = base.string("preset", null);
        if (!Presets.names().contains(preset)) {
            throw base.error(base.key("preset"), root.at("/base/preset"), "allowed: " + String.join(", ", Presets.names()));
        }
        List<String> baseSet = new ArrayList<>();
        if (top.has("corpus")) {
            baseSet.addAll(corpus(top.child("corpus")));
        }
        baseSet.addAll(base.strings("set"));
        Sweep sweep = top.has("sweep") ? sweep(top.child("sweep")) : Sweep.NONE;
        FileKeys phases = top.child("phases");
        phases.rejectUnknown(PHASES);
        Phase pretrain = phase(phases.child(Phase.PRETRAIN), Phase.PRETRAIN, PRETRAIN);
        Phase instruct = phases.has(Phase.INSTRUCT) ? phase(phases.child(Phase.INSTRUCT), Phase.INSTRUCT, INSTRUCT) : null;
        for (Sweep.Point point : sweep.points()) {
            checkBase(base, preset, point.after(baseSet), point, instruct != null);
        }
        List<Arm> arms = arms(top, preset, baseSet, sweep);
        List<Long> seeds = top.longs("seeds");
        int batches = 4;
        if (top.has("eval")) {
            FileKeys eval = top.child("eval");
            eval.rejectUnknown(EVAL);
            batches = eval.positiveInt("batches", batches);
        }
        return new Experiment(name, preset, baseSet, sweep, arms, pretrain, instruct, seeds, batches);
    }

    /**
     * {"path", "install"}: a text corpus on this machine that the base trains on, and how to get it;
     * a missing corpus is refused before anything runs, with that advice.
     */
    private static List<String> corpus(FileKeys c) {
        c.rejectUnknown(CORPUS);
        String path = c.string("path", null);
        if (!Files.exists(Path.of(path))) {
            throw c.problem("the corpus " + path + " (" + c.key("path") + ") does not exist on this machine: "
                    + (c.has("install") ? "install it with '" + c.string("install", null) + "', or " : "")
                    + "point " + c.key("path") + " at a copy");
        }
        return List.of("training.data.kind=text", "training.data.path=" + path);
    }

    /** {"name", "key", "values"}: one point per value, labelled by it; or {"name", "points": [{"label", "set"}]}. */
    private static Sweep sweep(FileKeys s) {
        s.rejectUnknown(SWEEP);
        String name = s.string("name", null);
        List<Sweep.Point> points = new ArrayList<>();
        if (s.has("points") == s.has("key")) {
            throw s.problem("'" + s.path() + "' needs either \"points\" or \"key\" with \"values\", not both");
        }
        if (s.has("key")) {
            String key = s.string("key", null);
            for (String value : s.scalars("values")) {
                points.add(new Sweep.Point(value, List.of(key + "=" + value)));
            }
        } else {
            for (FileKeys p : s.objects("points")) {
                p.rejectUnknown(POINT);
                points.add(new Sweep.Point(named(p, "label", p.string("label", null)), p.strings("set")));
            }
        }
        Set<String> labels = new HashSet<>();
        for (Sweep.Point p : points) {
            if (!p.label().matches(NAME_PATTERN) || !labels.add(p.label())) {
                throw s.error(s.key(s.has("key") ? "values" : "points"), TextNode.valueOf(p.label()),
                        "each point needs its own label of letters, digits, '.', '_' or '-' (it names a directory)");
            }
        }
        if (points.isEmpty()) {
            throw s.missing(s.key(s.has("key") ? "values" : "points"), "at least one point");
        }
        return new Sweep(name, points);
    }

    private static String named(FileKeys keys, String key, String value) {
        if (!value.matches(NAME_PATTERN)) {
            throw keys.error(keys.key(key), TextNode.valueOf(value),
                    "must be letters, digits, '.', '_' or '-' (it names a directory)");
        }
        return value;
    }

    /**
     * The base must resolve to a memory model, at every sweep point: every arm derives from it. An
     * experiment with an instruct phase must pretrain on the knowledge set, whose facts it probes.
     */
    private static void checkBase(FileKeys base, String preset, List<String> set, Sweep.Point point, boolean instruct) {
        String where = point.label().isEmpty() ? "" : " at sweep point " + point.label();
        RunConfig run;
        try {
            run = RunConfig.parse(ArmConfigs.baseTree(preset, set));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(base.key("set") + where + ": the base configuration is invalid: " + e.getMessage(), e);
        }
        if (!run.model().hasMemory()) {
            throw new IllegalArgumentException(base.key("preset") + " " + preset + " with " + base.key("set") + where
                    + " has no memory (\"membank\" block): the base must be the memory model the arms derive from");
        }
        if (instruct && run.training().data().kind() != DataConfig.Kind.KNOWLEDGE) {
            throw new IllegalArgumentException(base.key("set") + ": training.data.kind is " + run.training().data().kind()
                    + "; an experiment with an instruct phase pretrains on the knowledge set (training.data.kind=knowledge) so"
                    + " it can probe the facts the instruct phase may make it forget");
        }
    }

    private static List<Arm> arms(FileKeys top, String preset, List<String> baseSet, Sweep sweep) {
        List<Arm> arms = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (FileKeys a : top.objects("arms")) {
            a.rejectUnknown(ARM);
            String label = a.string("kind", null);
            ArmKind kind = ArmKind.ofOrNull(label);
            if (kind == null) {
                throw a.error(a.key("kind"), TextNode.valueOf(label),
                        "allowed: " + String.join(", ", ArmKind.labels()));
            }
            String name = named(a, "name", a.string("name", kind.label()));
            if (!names.add(name)) {
                throw a.error(a.key("name"), TextNode.valueOf(name),
                        "another arm has this name; give each arm of the same kind its own \"name\"");
            }
            BaselineKind baseline = BaselineKind.DEEPER;
            if (a.has("baseline")) {
                if (!kind.isMatchedBaseline()) {
                    throw a.error(a.key("baseline"), TextNode.valueOf(a.string("baseline", "")),
                            "only an iso-flop or iso-param arm has a baseline");
                }
                String b = a.string("baseline", null);
                if (!b.equals("deeper") && !b.equals("wider")) {
                    throw a.error(a.key("baseline"), TextNode.valueOf(b), "allowed: deeper, wider");
                }
                baseline = BaselineKind.of(b);
            }
            Arm arm = new Arm(name, kind, a.strings("set"), baseline);
            for (Sweep.Point point : sweep.points()) {
                checkArm(a, arm, preset, point.after(baseSet), point);
            }
            arms.add(arm);
        }
        return arms;
    }

    /** Builds the arm's pretraining configuration now, so a bad override or an impossible baseline fails before any training. */
    private static void checkArm(FileKeys a, Arm arm, String preset, List<String> baseSet, Sweep.Point point) {
        try {
            ArmConfigs.model(arm, ArmConfigs.baseTree(preset, baseSet));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(a.key("kind") + " " + arm.kind().label() + " (arm " + arm.name() + ")"
                    + (point.label().isEmpty() ? "" : " at sweep point " + point.label()) + ": " + e.getMessage(), e);
        }
    }

    private static Phase phase(FileKeys p, String name, List<String> allowed) {
        p.rejectUnknown(allowed);
        Budget budget = budget(p);
        double lr = p.positiveNumber("lr", true);
        int entities = Phase.INSTRUCT.equals(name) ? p.positiveInt("entities", null) : 0;
        for (String s : p.strings("set")) {
            if (!s.startsWith("training.")) {
                throw p.error(p.key("set"), TextNode.valueOf(s),
                        "a phase may override training.* keys only (the model is the arm's)");
            }
        }
        return new Phase(name, budget, lr, p.positiveNumber("bank_lr", false), p.positiveNumber("memory_lr", false),
                p.bool("freeze_bank", false), entities, p.strings("set"));
    }

    /** Exactly one of "steps", "exposures" (whole epochs of the training documents) and "flops". */
    private static Budget budget(FileKeys p) {
        List<Budget.Kind> given = Arrays.stream(Budget.Kind.values()).filter(k -> p.has(k.key())).toList();
        if (given.size() != 1) {
            throw p.problem("'" + p.path() + "' needs exactly one budget: \"steps\", \"exposures\" (times each training"
                    + " document, on the knowledge set each person's facts, is seen) or \"flops\" (training FLOPs, for equal"
                    + " compute); it has " + (given.isEmpty() ? "none" : given.stream().map(Budget.Kind::key).toList()));
        }
        if (given.get(0) == Budget.Kind.STEPS && p.has("min_steps")) {
            throw p.problem("'" + p.path() + "' has both \"steps\" and \"min_steps\": min_steps only raises an exposures or flops budget");
        }
        int minSteps = p.has("min_steps") ? p.positiveInt("min_steps", null) : 0;
        return switch (given.get(0)) {
            case STEPS -> Budget.steps(p.positiveInt("steps", null));
            case EXPOSURES -> new Budget(Budget.Kind.EXPOSURES, p.positiveInt("exposures", null), minSteps);
            case FLOPS -> new Budget(Budget.Kind.FLOPS, p.positiveNumber("flops", true), minSteps);
        };
    }
}
