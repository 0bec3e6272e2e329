package io.github.qalign.serve;

import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import io.github.qalign.model.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * A deterministic language model whose calls can be held at a gate or slowed down, to test the server's admission,
 * timeouts and shutdown without a real runtime. Tokens: 1..9 drawn from the request's seed, never EOS (0).
 */
final class FakeModels {

    private FakeModels() {
    }

    static final class GatedModel implements LanguageModel {
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile long sleepMillis;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger entered = new AtomicInteger();

        @Override
        public List<Generation> generate(List<GenerationRequest> requests, SamplingConfig config) {
            entered.incrementAndGet();
            try {
                if (!gate.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("gate never opened");
                }
                if (sleepMillis > 0) {
                    Thread.sleep(sleepMillis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            calls.incrementAndGet();
            List<Generation> out = new ArrayList<>();
            for (GenerationRequest r : requests) {
                RandomGenerator rng = r.newRandom();
                int n = config.maxCompletionTokens() - r.prefix().length();
                int[] ids = new int[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = 1 + rng.nextInt(9);
                }
                TokenIds c = r.prefix().concat(TokenIds.of(ids));
                out.add(new Generation(c, r.prefix().length(), decode(c), FinishReason.LENGTH,
                        new TokenUsage(r.prompt().ids().length() + r.prefix().length(), 0, n)));
            }
            return out;
        }

        @Override
        public Prompt prompt(String text) {
            int[] ids = new int[Math.max(1, text.length())];
            for (int i = 0; i < text.length(); i++) {
                ids[i] = 1 + text.charAt(i) % 9;
            }
            return new Prompt(text, TokenIds.of(ids));
        }

        @Override
        public String decode(TokenIds completion) {
            StringBuilder sb = new StringBuilder();
            completion.stream().forEach(i -> sb.append((char) ('a' + i)));
            return sb.toString();
        }
    }

    static final class LengthReward implements RewardModel {
        @Override
        public List<Reward> score(List<RewardRequest> requests) {
            return requests.stream().map(r -> new Reward(r.completion().stream().sum() / 10.0,
                    new TokenUsage(r.prompt().ids().length() + r.completion().length(), 0, 0))).toList();
        }
    }

    static final TextCodec CODEC = new TextCodec() {
        @Override
        public int[] encode(String text, boolean addSpecialTokens) {
            int[] ids = new int[text.length()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = 1 + text.charAt(i) % 9;
            }
            return ids;
        }

        @Override
        public String decode(int[] ids, boolean skipSpecialTokens) {
            StringBuilder sb = new StringBuilder();
            for (int i : ids) {
                sb.append((char) ('a' + i));
            }
            return sb.toString();
        }

        @Override
        public int vocabSize() {
            return 10;
        }
    };

    static ServedPolicy policy(LanguageModel lm) {
        return new ServedPolicy("fake", lm, CODEC, 64);
    }

    static ServedReward reward() {
        LengthReward rm = new LengthReward();
        return new ServedReward("fake-rm", rm, rm, CODEC, 64);
    }
}
