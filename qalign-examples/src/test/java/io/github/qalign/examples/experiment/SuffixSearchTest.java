package io.github.qalign.examples.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Generation;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link SuffixSearch}: resamples from the current best, keeps the max, is seeded, accounts compute per sample. */
class SuffixSearchTest {

    private final ToyLanguageModel toy = ToyLanguageModel.builder().symbols(4).seed(3).eosBias(0.3)
            .parameterCount(1000).build();
    private final ToyRewardModel rm = ToyRewardModel.seeded(5, 1.0).withParameterCount(100);
    private final SamplingConfig sampling = SamplingConfig.builder().temperature(1.0).maxCompletionTokens(12).build();

    @Test
    void everyProposalExtendsAPrefixOfTheCurrentBestAndTheAnswerIsTheRunningMax() {
        List<GenerationRequest> seen = new ArrayList<>();
        LanguageModel recording = new RecordingModel(toy, seen);
        List<Prompt> prompts = List.of(toy.prompt("a"), toy.prompt("b"), toy.prompt("c"));
        List<SuffixSearch.Search> out = new SuffixSearch(recording, rm, sampling, 20).run(prompts,
                new SplittableRandom(11));
        assertEquals(3 * 21, seen.size());
        for (int c = 0; c < prompts.size(); c++) {
            SuffixSearch.Search s = out.get(c);
            assertEquals(21, s.samples().size());
            double max = Double.NEGATIVE_INFINITY;
            for (int t = 0; t <= 20; t++) {
                if (t > 0) {
                    // request of step t for prompt c: its prefix is a prefix of the best sample after step t-1
                    TokenIds prefix = seen.get(t * prompts.size() + c).prefix();
                    ScoredSample best = s.samples().get(s.best().get(t - 1));
                    assertTrue(best.completion().startsWith(prefix));
                    assertTrue(prefix.length() < Math.max(1, best.completion().length()));
                }
                max = Math.max(max, s.samples().get(t).reward());
                assertEquals(max, s.samples().get(s.chosen(t + 1)).reward(), "budget " + (t + 1));
            }
            assertEquals(0.0, s.usage(0).flops());
            assertTrue(s.usage(21).flops() > s.usage(1).flops());
        }
        assertTrue(out.stream().anyMatch(s -> s.best().get(20) != 0), "some search improved on its first sample");
    }

    @Test
    void sameSeedSameSearch() {
        List<Prompt> prompts = List.of(toy.prompt("a"), toy.prompt("b"));
        SuffixSearch search = new SuffixSearch(toy, rm, sampling, 8);
        List<SuffixSearch.Search> a = search.run(prompts, new SplittableRandom(5));
        List<SuffixSearch.Search> b = search.run(prompts, new SplittableRandom(5));
        for (int c = 0; c < 2; c++) {
            assertEquals(a.get(c).best(), b.get(c).best());
            assertEquals(a.get(c).samples().stream().map(ScoredSample::text).toList(),
                    b.get(c).samples().stream().map(ScoredSample::text).toList());
        }
    }

    /** Passes through to a model and records each request. */
    private record RecordingModel(ToyLanguageModel inner, List<GenerationRequest> seen) implements LanguageModel {
        @Override
        public Prompt prompt(String text) {
            return inner.prompt(text);
        }

        @Override
        public List<Generation> generate(List<GenerationRequest> requests, SamplingConfig config) {
            seen.addAll(requests);
            return inner.generate(requests, config);
        }

        @Override
        public String decode(TokenIds completion) {
            return inner.decode(completion);
        }

        @Override
        public long parameterCount() {
            return inner.parameterCount();
        }
    }
}
