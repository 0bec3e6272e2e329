package io.github.qalign.sampler;

import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import java.util.List;
import java.util.function.BiFunction;

/** Delegates to a real model, then lets a test corrupt the output of call number {@code faultyCall} (0-based). */
final class FaultyLanguageModel implements LanguageModel {
    private final LanguageModel delegate;
    private final int faultyCall;
    private final BiFunction<List<GenerationRequest>, List<Generation>, List<Generation>> corrupt;
    private int calls;

    FaultyLanguageModel(LanguageModel delegate, int faultyCall,
                        BiFunction<List<GenerationRequest>, List<Generation>, List<Generation>> corrupt) {
        this.delegate = delegate;
        this.faultyCall = faultyCall;
        this.corrupt = corrupt;
    }

    @Override
    public List<Generation> generate(List<GenerationRequest> requests, SamplingConfig config) {
        List<Generation> out = delegate.generate(requests, config);
        return calls++ == faultyCall ? corrupt.apply(requests, out) : out;
    }

    @Override
    public Prompt prompt(String text) {
        return delegate.prompt(text);
    }

    @Override
    public String decode(TokenIds completion) {
        return delegate.decode(completion);
    }
}
