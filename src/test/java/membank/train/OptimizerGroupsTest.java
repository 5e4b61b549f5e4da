package membank.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import membank.config.Presets;
import membank.model.MemoryLM;
import membank.model.ParameterRole;

/**
 * The optimizer groups come from the role each part of the model was registered with: they agree
 * with the roles the tensors' names tell, for every kind of part, and decay goes to matrices only.
 */
class OptimizerGroupsTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "membank.variant=B", "tie_word_embeddings=false",
            "membank.chapters={\"count\": 4, \"top_k\": 1}", "membank.context={\"kv\": \"own\"}",
            "membank.bank={\"kind\": \"factorized\", \"rank\": 8}", "membank.projection_rank=4"})
    void registeredRolesAgreeWithTheNamesAndMatricesDecay(String set) {
        MemoryLM model = new MemoryLM(set.isEmpty() ? Presets.model("tiny") : Presets.model("tiny", set));
        Map<String, Tensor> params = model.namedParameters();
        params.forEach((name, p) -> assertEquals(ParameterRole.of(name), model.role(name), name));
        Map<ParamGroup, Map<String, Tensor>> groups = GroupedAdamW.groups(params, model::role);
        assertEquals(params.size(), groups.values().stream().mapToInt(Map::size).sum());
        groups.forEach((group, members) -> members.forEach((name, p) -> {
            boolean decays = group == ParamGroup.MEMORY || group == ParamGroup.BASE;
            if (group != ParamGroup.BANK) {
                assertEquals(decays, p.dim() >= 2, name + " in " + group);
            }
        }));
        Set<String> noDecay = new TreeSet<>(groups.getOrDefault(ParamGroup.BASE_NO_DECAY, Map.of()).keySet());
        assertEquals(true, noDecay.contains("model.norm.weight"), noDecay.toString());
        assertEquals(true, noDecay.contains("model.layers.0.self_attn.q_proj.bias"), noDecay.toString());
    }
}
