package io.github.qalign.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.beta.BetaTuner;
import io.github.qalign.beta.BetaTunerResult;
import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.diagnostics.ChainDiagnostics;
import io.github.qalign.model.ChatMessage;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import io.github.qalign.model.TokenUsage;
import io.github.qalign.sampler.IndependentResult;
import io.github.qalign.sampler.IndependentSampler;
import io.github.qalign.sampler.PromptResult;
import io.github.qalign.sampler.QAlignListener;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;
import io.github.qalign.select.BestOfN;
import io.github.qalign.select.MajorityVote;
import io.github.qalign.select.Mbr;
import io.github.qalign.select.VoteSelection;
import io.github.qalign.select.WeightedMajorityVote;
import io.github.qalign.select.Weighting;
import io.github.qalign.serve.batch.Deadline;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code POST /v1/chat/completions}: test-time alignment as a chat completion.
 *
 * <p>The request is an OpenAI chat completion request ({@code model}, {@code messages}, {@code max_tokens} or
 * {@code max_completion_tokens}: the cap of every sampled completion, {@code temperature}, {@code top_p},
 * {@code top_k}: how the policy samples, {@code seed}) with an optional extension object
 * {@code "qalign": {"method", "budget", "beta" | "target_acceptance", "chains", "seed", "answer_format",
 * "progress"}}; for unmodified clients the same settings may come as headers {@code X-QAlign-Method},
 * {@code X-QAlign-Budget}, {@code X-QAlign-Beta}, {@code X-QAlign-Chains} (a body field wins over its header).
 * <ul>
 *   <li>{@code method}: {@code qalign} (default), {@code bon}, {@code mv}, {@code wmv}, {@code mbr};</li>
 *   <li>{@code budget}: samples the method draws (QAlign: chain states, {@code chains} chains of
 *       {@code budget/chains} states each); at most the server's {@code maxBudget}, else 400
 *       {@code budget_exceeds_cap};</li>
 *   <li>{@code beta} (QAlign's target temperature and WMV's weight temperature) or {@code target_acceptance}
 *       (QAlign only: beta tuned on this prompt with {@link BetaTuner} so that about this fraction of proposals is
 *       accepted; the tuning's compute is counted in the usage); default the server's beta;</li>
 *   <li>{@code seed}: seeds every random draw of the method (default: the request's {@code seed}, else one from the
 *       server's seeded generator); the same seed and request give the same answer;</li>
 *   <li>{@code answer_format}: how MV/WMV (and QAlign's final vote) read an answer out of a sample: {@code text}
 *       (default; the whole text, exact match), {@code number} (GSM8K), {@code boxed} (MATH), {@code choice};</li>
 *   <li>{@code progress}: true to get the response as server-sent events: {@code event: progress} after QAlign's
 *       initial samples and after every step, then {@code event: result} with the chat completion, then
 *       {@code data: [DONE]}.</li>
 * </ul>
 * The selected answer: QAlign and MBR pick the sample with the highest expected ROUGE-1 against the others (MBR
 * over the chain states for QAlign), or for a non-text {@code answer_format} QAlign takes the majority answer; BoN
 * the highest reward; MV/WMV the (weighted) majority answer's first sample. {@code usage} counts every token the
 * method computed: {@code prompt_tokens} are the input tokens of every policy and reward-model call (of which
 * {@code cached_tokens} were served from KV caches), {@code completion_tokens} every token the policy sampled; the
 * {@code qalign} object of the response splits them per model and adds the method, beta, acceptance rate, effective
 * sample size and FLOPs.
 */
final class AlignmentEndpoint {

    /** Completion cap when the request gives none. */
    static final int DEFAULT_MAX_TOKENS = 256;

    private final ObjectMapper json;
    private final ServedPolicy policy;
    private final ServedReward reward;
    private final LanguageModel lm;
    private final RewardModel rm;
    private final ServerConfig config;
    private final QalignServer.SeedSource seeds;
    private final AtomicLong ids = new AtomicLong();

    AlignmentEndpoint(ObjectMapper json, ServedPolicy policy, ServedReward reward, LanguageModel lm, RewardModel rm,
                      ServerConfig config, QalignServer.SeedSource seeds) {
        this.json = json;
        this.policy = policy;
        this.reward = reward;
        this.lm = lm;
        this.rm = rm;
        this.config = config;
        this.seeds = seeds;
    }

    enum Method {
        QALIGN, BON, MV, WMV, MBR
    }

    JsonNode chat(Exchange ex) {
        ObjectNode body = ex.body();
        String model = ModelEndpoints.checkModel(body, policy.name());
        if (Fields.optBool(body, "", "stream", false)) {
            throw ApiException.badRequest("stream", "unsupported", "stream: token streaming is not supported; for "
                    + "progress of long requests set qalign.progress=true (server-sent events)");
        }
        if (Fields.optInt(body, "", "n", 1, 1, Integer.MAX_VALUE) != 1) {
            throw ApiException.invalidField("n", "only n=1 is supported: the server returns the one answer the "
                    + "method selected (raise qalign.budget for more samples)");
        }
        ObjectNode q = Fields.optObject(body, "qalign");
        if (q == null) {
            q = json.createObjectNode();
        }
        headerDefault(ex, q, "method", "X-QAlign-Method", false);
        headerDefault(ex, q, "budget", "X-QAlign-Budget", true);
        headerDefault(ex, q, "beta", "X-QAlign-Beta", true);
        headerDefault(ex, q, "chains", "X-QAlign-Chains", true);

        String methodName = Optional.ofNullable(Fields.optString(q, "qalign.", "method")).orElse("qalign");
        Method method;
        try {
            method = Method.valueOf(methodName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidField("qalign.method", "expected one of qalign, bon, mv, wmv, mbr, got '"
                    + methodName + "'");
        }
        int budget = Fields.optInt(q, "qalign.", "budget", config.defaultBudget(), 1, Integer.MAX_VALUE);
        if (budget > config.maxBudget()) {
            throw ApiException.badRequest("qalign.budget", "budget_exceeds_cap", "qalign.budget: " + budget
                    + " exceeds this server's cap of " + config.maxBudget() + " samples per request");
        }
        int chains = Fields.optInt(q, "qalign.", "chains", 1, 1, config.maxBudget());
        if (method != Method.QALIGN && chains != 1) {
            throw ApiException.invalidField("qalign.chains", "applies to method qalign only");
        }
        if (budget % chains != 0) {
            throw ApiException.invalidField("qalign.chains", "budget " + budget + " is not a multiple of chains "
                    + chains);
        }
        boolean hasBeta = Fields.get(q, "beta") != null;
        boolean hasTarget = Fields.get(q, "target_acceptance") != null;
        if (hasBeta && hasTarget) {
            throw ApiException.badRequest("qalign.target_acceptance", "invalid_value",
                    "qalign.beta and qalign.target_acceptance are mutually exclusive");
        }
        if (hasTarget && method != Method.QALIGN) {
            throw ApiException.invalidField("qalign.target_acceptance", "applies to method qalign only");
        }
        double beta = Fields.optDouble(q, "qalign.", "beta", config.defaultBeta(), Double.MIN_VALUE, 1e6);
        double target = hasTarget ? Fields.optDouble(q, "qalign.", "target_acceptance", 0.5, 0.01, 0.99) : 0;
        String format = Optional.ofNullable(Fields.optString(q, "qalign.", "answer_format")).orElse("text");
        AnswerExtractor extractor = extractor(format);
        boolean progress = Fields.optBool(q, "qalign.", "progress", false);
        OptionalLong qseed = Fields.optLong(q, "qalign.", "seed");
        OptionalLong bseed = Fields.optLong(body, "", "seed");
        long seed = qseed.isPresent() ? qseed.getAsLong() : bseed.isPresent() ? bseed.getAsLong() : seeds.next();

        Prompt prompt = ModelEndpoints.renderChat(lm, Fields.get(body, "messages"));
        int plen = prompt.ids().length();
        int room = policy.contextLength() - plen;
        if (room < 1) {
            throw ModelEndpoints.contextOverflow("messages", policy.contextLength(), plen, 1);
        }
        Integer mt = Fields.get(body, "max_completion_tokens") != null
                ? Fields.optInt(body, "", "max_completion_tokens", 0, 1, Integer.MAX_VALUE)
                : Fields.get(body, "max_tokens") != null ? Fields.optInt(body, "", "max_tokens", 0, 1, Integer.MAX_VALUE)
                : null;
        int maxTokens = mt != null ? mt : Math.min(DEFAULT_MAX_TOKENS, room);
        if (plen + maxTokens > policy.contextLength()) {
            throw ModelEndpoints.contextOverflow(Fields.get(body, "max_completion_tokens") != null
                    ? "max_completion_tokens" : "max_tokens", policy.contextLength(), plen, maxTokens);
        }
        if (plen + maxTokens > reward.contextLength()) {
            throw ApiException.badRequest(mt == null ? "messages" : "max_tokens", "context_length_exceeded",
                    "The reward model's maximum context length is " + reward.contextLength() + " tokens. However, "
                            + "a scored sample may have " + (plen + maxTokens) + " tokens (" + plen + " in the "
                            + "messages, " + maxTokens + " in the completion). Please reduce max_tokens.");
        }
        SamplingConfig sampling = ModelEndpoints.sampling(body, maxTokens);

        Metered meteredLm = new Metered(lm);
        MeteredReward meteredRm = new MeteredReward(rm);
        SplittableRandom rng = new SplittableRandom(seed);
        ObjectNode ext = json.createObjectNode();
        ext.put("method", method.name().toLowerCase(Locale.ROOT));
        ext.put("budget", budget);
        ext.put("seed", seed);
        ext.put("answer_format", format);
        List<ScoredSample> samples;
        int selected;
        String answer = null;
        switch (method) {
            case QALIGN -> {
                if (hasTarget) {
                    BetaTunerResult tuned = BetaTuner.builder()
                            .sampler(QAlignSampler.builder().languageModel(meteredLm).rewardModel(meteredRm)
                                    .beta(config.defaultBeta()).steps(Math.max(1, Math.min(8, budget - 1)))
                                    .sampling(sampling).build())
                            .targetAcceptance(target).maxEvaluations(6).build()
                            .tune(List.of(prompt), rng.split());
                    beta = tuned.beta();
                    ObjectNode t = ext.putObject("beta_tuning");
                    t.put("target_acceptance", target);
                    t.put("acceptance_rate", tuned.acceptanceRate());
                    t.put("converged", tuned.converged());
                    t.put("evaluations", tuned.evaluations().size());
                }
                int steps = budget / chains - 1;
                QAlignListener listener = progressListener(ex, progress);
                QAlignResult r = QAlignSampler.builder().languageModel(meteredLm).rewardModel(meteredRm).beta(beta)
                        .steps(steps).chainsPerPrompt(chains).sampling(sampling).listener(listener).build()
                        .run(prompt, rng);
                PromptResult pr = r.prompt(0);
                samples = pr.samples();
                if (format.equals("text")) {
                    selected = Mbr.rouge1(Weighting.uniform()).select(samples).index();
                } else {
                    VoteSelection v = new MajorityVote(extractor).select(samples);
                    selected = v.index().orElse(samples.size() - 1);
                    answer = v.answer().orElse(null);
                }
                List<ChainDiagnostics> ds = pr.chains().stream().map(ChainDiagnostics::of).toList();
                ext.put("chains", chains);
                ext.put("steps", steps);
                finite(ext, "acceptance_rate", steps == 0 ? Double.NaN : r.acceptanceRate());
                finite(ext, "ess", ds.stream().mapToDouble(ChainDiagnostics::rewardEss).sum());
            }
            default -> {
                IndependentResult r = IndependentSampler.builder().languageModel(meteredLm).rewardModel(meteredRm)
                        .samplesPerPrompt(budget).sampling(sampling).build().run(prompt, rng);
                samples = r.prompt(0).samples();
                switch (method) {
                    case BON -> selected = new BestOfN().select(samples).index();
                    case MBR -> selected = Mbr.rouge1(Weighting.uniform()).select(samples).index();
                    default -> {
                        VoteSelection v = method == Method.MV ? new MajorityVote(extractor).select(samples)
                                : new WeightedMajorityVote(extractor, beta).select(samples);
                        selected = v.index().orElse(0);
                        answer = v.answer().orElse(null);
                    }
                }
                finite(ext, "ess", essOfWeights(samples, beta));
            }
        }
        if (method == Method.QALIGN || method == Method.WMV) {
            ext.put("beta", beta);
        } else {
            ext.putNull("beta");
        }
        if (method != Method.QALIGN) {
            ext.putNull("acceptance_rate");
        }
        ScoredSample best = samples.get(selected);
        ext.put("selected_index", selected);
        ext.put("reward", best.reward());
        if (answer != null) {
            ext.put("answer", answer);
        }
        ext.put("samples", samples.size());
        TokenUsage lu = meteredLm.usage();
        TokenUsage ru = meteredRm.usage();
        ComputeUsage cu = new ComputeUsage(lu, ru, lm.parameterCount(), rm.parameterCount());
        ObjectNode u = ext.putObject("usage");
        tokens(u.putObject("policy"), lu);
        tokens(u.putObject("reward"), ru);
        ObjectNode f = ext.putObject("flops");
        f.put("policy", cu.lmFlops());
        f.put("reward", cu.rmFlops());
        f.put("total", cu.flops());

        ObjectNode root = json.createObjectNode();
        root.put("id", "chatcmpl-" + ids.incrementAndGet());
        root.put("object", "chat.completion");
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode msg = choice.putObject("message");
        msg.put("role", ChatMessage.ASSISTANT);
        msg.put("content", best.text());
        choice.putNull("logprobs");
        choice.put("finish_reason", best.finishReason() == FinishReason.EOS ? "stop" : "length");
        long promptTokens = lu.computedInputTokens() + lu.reusedInputTokens() + ru.computedInputTokens()
                + ru.reusedInputTokens();
        ModelEndpoints.usage(root, promptTokens, lu.generatedTokens(), lu.reusedInputTokens()
                + ru.reusedInputTokens());
        root.set("qalign", ext);
        ex.log.put("model", model);
        ex.log.put("method", ext.get("method").asText());
        ex.log.put("budget", budget);
        ex.log.put("prompt_tokens", promptTokens);
        ex.log.put("completion_tokens", lu.generatedTokens());
        if (ex.streaming()) {
            ex.event(json, "result", root);
            ex.endEvents();
            return null;
        }
        return root;
    }

    /** JSON has no NaN: a value that is not finite (e.g. no QAlign steps) is written as null. */
    private static void finite(ObjectNode n, String name, double v) {
        if (Double.isFinite(v)) {
            n.put(name, v);
        } else {
            n.putNull(name);
        }
    }

    private static void headerDefault(Exchange ex, ObjectNode q, String field, String header, boolean numeric) {
        String h = ex.header(header);
        if (h == null || Fields.get(q, field) != null) {
            return;
        }
        if (!numeric) {
            q.put(field, h.strip());
            return;
        }
        try {
            if (h.strip().matches("-?\\d+")) {
                q.put(field, Long.parseLong(h.strip()));
            } else {
                q.put(field, Double.parseDouble(h.strip()));
            }
        } catch (NumberFormatException e) {
            throw ApiException.invalidField(header, "expected a number, got '" + abbreviate(h) + "'");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static AnswerExtractor extractor(String format) {
        return switch (format) {
            case "text" -> AnswerExtractor.identity();
            case "number" -> AnswerExtractor.gsm8k();
            case "boxed" -> AnswerExtractor.math();
            case "choice" -> AnswerExtractor.multipleChoice();
            default -> throw ApiException.invalidField("qalign.answer_format", "expected one of text, number, "
                    + "boxed, choice, got '" + abbreviate(format) + "'");
        };
    }

    /** Kish's effective sample size of the weights softmax(r / beta) over independent samples. */
    static double essOfWeights(List<ScoredSample> samples, double beta) {
        double max = Double.NEGATIVE_INFINITY;
        for (ScoredSample s : samples) {
            max = Math.max(max, s.reward() / beta);
        }
        double sum = 0;
        double sumSq = 0;
        for (ScoredSample s : samples) {
            double w = Math.exp(s.reward() / beta - max);
            sum += w;
            sumSq += w * w;
        }
        return sum * sum / sumSq;
    }

    private QAlignListener progressListener(Exchange ex, boolean progress) {
        return new QAlignListener() {
            private long accepted;
            private long proposals;

            @Override
            public void onInit(InitEvent event) {
                Deadline.check("QAlign's initial samples");
                if (progress) {
                    send(0, event.totalSteps());
                }
            }

            @Override
            public void onStep(StepEvent event) {
                accepted += event.accepted();
                proposals += event.chainSteps().size();
                Deadline.check("QAlign step " + event.step());
                if (progress) {
                    send(event.step(), event.totalSteps());
                }
            }

            private void send(int step, int total) {
                ObjectNode n = json.createObjectNode();
                n.put("step", step);
                n.put("total_steps", total);
                n.put("accepted", accepted);
                n.put("acceptance_rate", proposals == 0 ? 0.0 : (double) accepted / proposals);
                ex.event(json, "progress", n);
            }
        };
    }

    private static void tokens(ObjectNode n, TokenUsage u) {
        n.put("computed_input_tokens", u.computedInputTokens());
        n.put("reused_input_tokens", u.reusedInputTokens());
        n.put("generated_tokens", u.generatedTokens());
    }

    /** Sums the usage of every generation of one request (beta tuning included). */
    private static final class Metered implements LanguageModel {
        private final LanguageModel lm;
        private TokenUsage usage = TokenUsage.ZERO;

        Metered(LanguageModel lm) {
            this.lm = lm;
        }

        synchronized TokenUsage usage() {
            return usage;
        }

        @Override
        public List<Generation> generate(List<GenerationRequest> requests, SamplingConfig config) {
            List<Generation> out = lm.generate(requests, config);
            synchronized (this) {
                for (Generation g : out) {
                    usage = usage.plus(g.usage());
                }
            }
            return out;
        }

        @Override
        public Prompt prompt(String text) {
            return lm.prompt(text);
        }

        @Override
        public Prompt prompt(List<ChatMessage> messages) {
            return lm.prompt(messages);
        }

        @Override
        public String decode(TokenIds completion) {
            return lm.decode(completion);
        }

        @Override
        public long parameterCount() {
            return lm.parameterCount();
        }
    }

    /** Sums the usage of every score call of one request. */
    private static final class MeteredReward implements RewardModel {
        private final RewardModel rm;
        private TokenUsage usage = TokenUsage.ZERO;

        MeteredReward(RewardModel rm) {
            this.rm = rm;
        }

        synchronized TokenUsage usage() {
            return usage;
        }

        @Override
        public List<Reward> score(List<RewardRequest> requests) {
            List<Reward> out = rm.score(requests);
            synchronized (this) {
                for (Reward r : out) {
                    usage = usage.plus(r.usage());
                }
            }
            return out;
        }

        @Override
        public long parameterCount() {
            return rm.parameterCount();
        }
    }
}
