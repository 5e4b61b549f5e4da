package membank.bench;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;

import java.util.Random;

import org.bytedeco.pytorch.Tensor;

import membank.nn.Ops;

/**
 * Synthetic latent vectors with neighbourhoods: topics (random directions), subtopics around each
 * topic and points around each subtopic, Gaussian at each level. Independent Gaussian vectors in
 * 512 dimensions are all nearly orthogonal to each other, so "the nearest neighbours" of a query
 * are an arbitrary handful among near-ties and no index can find them cheaply; latents of real
 * text are not like that (what a user said about one subject lies close together), and this
 * mixture is the smallest model of it. With the defaults a point's cosine to points of its own
 * subtopic is about 0.62, of its topic about 0.38, of other topics about 0 (+- 1/sqrt(d)).
 */
public final class MixtureVectors {
    /** Subtopic spread around a topic and point spread around a subtopic, relative to a unit topic. */
    public static final double SUBTOPIC_SPREAD = 0.8;
    public static final double POINT_NOISE = 1.0;

    private final Tensor subtopics;
    private final Random random;

    /** {@code topics} x {@code perTopic} subtopic centres in {@code dim} dimensions, drawn from {@code seed}. */
    public MixtureVectors(int dim, int topics, int perTopic, long seed) {
        manual_seed(seed);
        double scale = 1 / Math.sqrt(dim);
        Tensor topicCentres = randn(topics, dim).mul(Ops.scalar(scale));
        Tensor repeated = topicCentres.repeat_interleave(perTopic, new org.bytedeco.pytorch.LongOptional(0),
                new org.bytedeco.pytorch.LongOptional());
        this.subtopics = repeated.add(randn((long) topics * perTopic, dim).mul(Ops.scalar(SUBTOPIC_SPREAD * scale)));
        this.random = new Random(seed);
    }

    /** n points [n, d], each around a subtopic chosen uniformly. */
    public Tensor sample(int n) {
        long count = subtopics.size(0);
        long[] which = new long[n];
        for (int i = 0; i < n; i++) {
            which[i] = (long) (random.nextDouble() * count);
        }
        double scale = POINT_NOISE / Math.sqrt(subtopics.size(1));
        return subtopics.index_select(0, Ops.longs(which)).add(randn(n, subtopics.size(1)).mul(Ops.scalar(scale)));
    }
}
