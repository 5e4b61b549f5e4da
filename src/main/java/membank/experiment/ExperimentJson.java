package membank.experiment;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import membank.config.ConfigException;
import membank.config.DataConfig;
import membank.config.Presets;
import membank.config.RunConfig;

/**
 * Reads an experiment file (docs/experiments.md has the format) and validates it at once: unknown
 * keys, bad values, a base that is not a memory model trained on the knowledge set, and overrides
 * that do not make a valid configuration are all reported with the key that holds them.
 */
public final class ExperimentJson {
    private static final List<String> TOP = List.of("name", "description", "base", "arms", "phases", "seeds", "eval");
    private static final List<String> BASE = List.of("preset", "set");
    private static final List<String> ARM = List.of("kind", "name", "set", "baseline");
    private static final List<String> PHASES = List.of(Phase.PRETRAIN, Phase.INSTRUCT);
    private static final List<String> PRETRAIN = List.of("steps", "lr", "bank_lr", "memory_lr", "freeze_bank", "set");
    private static final List<String> INSTRUCT = List.of("steps", "lr", "bank_lr", "memory_lr", "freeze_bank", "entities", "set");
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
        List<String> baseSet = base.strings("set");
        checkBase(base, preset, baseSet);
        List<Arm> arms = arms(top, preset, baseSet);
        FileKeys phases = top.child("phases");
        phases.rejectUnknown(PHASES);
        Phase pretrain = phase(phases.child(Phase.PRETRAIN), Phase.PRETRAIN, PRETRAIN);
        Phase instruct = phase(phases.child(Phase.INSTRUCT), Phase.INSTRUCT, INSTRUCT);
        List<Long> seeds = top.longs("seeds");
        int batches = 4;
        if (top.has("eval")) {
            FileKeys eval = top.child("eval");
            eval.rejectUnknown(EVAL);
            batches = eval.positiveInt("batches", batches);
        }
        return new Experiment(name, preset, baseSet, arms, pretrain, instruct, seeds, batches);
    }

    private static String named(FileKeys keys, String key, String value) {
        if (!value.matches(NAME_PATTERN)) {
            throw keys.error(keys.key(key), TextNode.valueOf(value),
                    "must be letters, digits, '.', '_' or '-' (it names a directory)");
        }
        return value;
    }

    /** The base must resolve to a memory model trained on the knowledge set: every arm derives from it. */
    private static void checkBase(FileKeys base, String preset, List<String> set) {
        RunConfig run;
        try {
            run = RunConfig.parse(ArmConfigs.baseTree(preset, set));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(base.key("set") + ": the base configuration is invalid: " + e.getMessage(), e);
        }
        if (!run.model().hasMemory()) {
            throw new IllegalArgumentException(base.key("preset") + " " + preset + " with " + base.key("set")
                    + " has no memory (\"membank\" block): the base must be the memory model the arms derive from");
        }
        if (!DataConfig.KNOWLEDGE.equals(run.training().data().kind())) {
            throw new IllegalArgumentException(base.key("set") + ": training.data.kind is " + run.training().data().kind()
                    + "; the experiment pretrains on the knowledge set (training.data.kind=knowledge) so it can probe facts");
        }
    }

    private static List<Arm> arms(FileKeys top, String preset, List<String> baseSet) {
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
                if (kind != ArmKind.ISO_FLOP) {
                    throw a.error(a.key("baseline"), TextNode.valueOf(a.string("baseline", "")),
                            "only an iso-flop arm has a baseline");
                }
                String b = a.string("baseline", null);
                if (!b.equals("deeper") && !b.equals("wider")) {
                    throw a.error(a.key("baseline"), TextNode.valueOf(b), "allowed: deeper, wider");
                }
                baseline = BaselineKind.of(b);
            }
            Arm arm = new Arm(name, kind, a.strings("set"), baseline);
            checkArm(a, arm, preset, baseSet);
            arms.add(arm);
        }
        return arms;
    }

    /** Builds the arm's pretraining configuration now, so a bad override or an impossible baseline fails before any training. */
    private static void checkArm(FileKeys a, Arm arm, String preset, List<String> baseSet) {
        try {
            ArmConfigs.model(arm, ArmConfigs.baseTree(preset, baseSet));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(a.key("kind") + " " + arm.kind().label() + " (arm " + arm.name() + "): " + e.getMessage(), e);
        }
    }

    private static Phase phase(FileKeys p, String name, List<String> allowed) {
        p.rejectUnknown(allowed);
        int steps = p.positiveInt("steps", null);
        double lr = p.positiveNumber("lr", true);
        int entities = Phase.INSTRUCT.equals(name) ? p.positiveInt("entities", null) : 0;
        for (String s : p.strings("set")) {
            if (!s.startsWith("training.")) {
                throw p.error(p.key("set"), TextNode.valueOf(s),
                        "a phase may override training.* keys only (the model is the arm's)");
            }
        }
        return new Phase(name, steps, lr, p.positiveNumber("bank_lr", false), p.positiveNumber("memory_lr", false),
                p.bool("freeze_bank", false), entities, p.strings("set"));
    }
}
