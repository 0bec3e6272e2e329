package io.github.qalign.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.eval.Benchmark;
import io.github.qalign.eval.Benchmarks;
import io.github.qalign.eval.data.Datasets;
import io.github.qalign.eval.ifeval.IfEvalAccuracy;
import io.github.qalign.eval.ifeval.IfEvalResult;
import io.github.qalign.eval.ifeval.IfEvalScorer;
import io.github.qalign.examples.eval.EvalAggregate;
import io.github.qalign.examples.eval.EvalPlot;
import io.github.qalign.examples.eval.EvalReport;
import io.github.qalign.examples.eval.EvalSelection;
import io.github.qalign.examples.experiment.Method;
import io.github.qalign.examples.experiment.Progress;
import io.github.qalign.model.ChatMessage;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.sampler.IndependentResult;
import io.github.qalign.sampler.IndependentSampler;
import io.github.qalign.sampler.KeyedPrompt;
import io.github.qalign.sampler.RandomStreams;
import io.github.qalign.sampler.PromptResult;
import io.github.qalign.sampler.PromptSamples;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;
import io.github.qalign.select.Budgets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code qalign eval}: the paper's Table 1 benchmarks with QAlign, BoN, MV and WMV at budgets 1, 2, 4, ..., N. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Run the paper's benchmarks (GSM8K, MATH500, MMLU-Redux, TruthfulQA, IFEval); Table 1 and "
                + "Figure 1 out.",
        description = {"Asks each item its Appendix D prompt, draws ONE run per item and method family (N "
                + "independent samples shared by bon/mv/wmv; one QAlign chain of N states) and reads every budget "
                + "1, 2, 4, ..., N from it. Per-item results go to --output as JSON lines (a settings line first, "
                + "items appended as they finish; --resume continues a killed run with identical final numbers). "
                + "At the end: PREFIX.accuracy.csv (accuracy, standard error, error and FLOPs per dataset x method "
                + "x budget), PREFIX.table1.md/.csv (Table 1 at the largest budget) and PREFIX.figure1.png / "
                + "PREFIX.figure6.png (error rate vs FLOPs, log axis).",
            "",
            "Selection: on GSM8K, MATH500, MMLU-Redux and TruthfulQA mv/wmv vote on the extracted answers and qalign "
                + "takes the majority answer of its chain states; on IFEval (open-ended) mv, wmv and qalign are MBR "
                + "with ROUGE-1 (wmv with importance weights softmax(r/beta)), as in the paper. Majority vote runs "
                + "no reward model and is charged policy FLOPs only.",
            "",
            "Other modes: --aggregate FILE... rebuilds the reports from finished (e.g. --shard) output files "
                + "without a model; --dataset ifeval --score-responses FILE.jsonl scores existing responses."})
final class EvalCommand extends CommandSupport implements Callable<Integer> {

    /** Largest --chunk-items. */
    static final int MAX_CHUNK_ITEMS = 1024;

    /** Role names of the two policies in result lines. */
    static final String POLICY = "policy";
    static final String BASELINE = "baseline";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SHARD = Pattern.compile("(\\d{1,6})/(\\d{1,6})");
    private static final List<Method> TABLE_METHODS = List.of(Method.QALIGN, Method.BON, Method.MV, Method.WMV);

    @Option(names = "--dataset", paramLabel = "NAME", split = ",", defaultValue = "all",
            description = "gsm8k, math500, mmlu-redux, truthfulqa, ifeval or all; comma-separated for several "
                    + "(default: ${DEFAULT-VALUE}).")
    List<String> dataset;

    @Option(names = "--methods", paramLabel = "M", split = ",", defaultValue = "qalign,bon,mv,wmv",
            description = "Methods, comma-separated, of qalign, bon, mv, wmv (default: ${DEFAULT-VALUE}).")
    List<Method> methods;

    @Option(names = "--budget", paramLabel = "N", defaultValue = "8",
            description = "Largest budget: N independent samples per item (bon/mv/wmv) and N chain states (qalign, "
                    + "N - 1 steps); every budget 1, 2, 4, ..., N is reported (the paper: 1024) "
                    + "(default: ${DEFAULT-VALUE}).")
    int budget;

    @Option(names = "--baseline-policy", paramLabel = "DIR",
            description = "A second policy (checkpoint directory) on which majority vote also runs, reported as "
                    + "policy 'baseline' (the paper's Tulu-3-8B-DPO row). Same sampling settings, no reward model.")
    Path baselinePolicy;

    @Option(names = "--limit", paramLabel = "N",
            description = "Only the first N items of each dataset.")
    Integer limit;

    @Option(names = "--shard", paramLabel = "I/K", defaultValue = "0/1",
            description = "Only the items (after --limit) whose position within their dataset is I modulo K, "
                    + "0 <= I < K; the output files of the K shards combine with --aggregate "
                    + "(default: ${DEFAULT-VALUE}).")
    String shard;

    @Option(names = "--chunk-items", paramLabel = "K", defaultValue = "1",
            description = "Items run together in one batched sampler run (1.." + MAX_CHUNK_ITEMS + "); larger "
                    + "chunks keep a GPU server busier (QAlign chains of different items step together). An "
                    + "item's samples depend only on --seed and the item's id, whatever K, so shards combine into "
                    + "exactly the unsharded run; the reported compute depends on K (prefix caches are shared "
                    + "within a chunk), so K is part of the settings (default: ${DEFAULT-VALUE}).")
    int chunkItems;

    @Option(names = "--max-prompt-tokens", paramLabel = "N",
            description = "For toy models whose context cannot hold the benchmark prompts (the embedded "
                    + "stories260K has 512 positions): a prompt longer than N policy tokens keeps only the end of "
                    + "its user message (where the answer format is asked for), cut at a character boundary so "
                    + "that the rendered prompt fits in N tokens. Recorded per item (prompt_truncated). Never use "
                    + "it for real evaluations. Default: no truncation.")
    Integer maxPromptTokens;

    @Mixin
    BetaOptions betaOptions;

    @Mixin
    SamplingOptions samplingOptions;

    @Mixin
    ModelOptions modelOptions;

    // Hook for model servers: the remote backend's picocli mixin (--policy-endpoint, --reward-endpoint,
    // --policy-tokenizer) is added here next to ModelOptions; loading goes through CommandSupport.load and the
    // parent's ModelFactory, as for 'qalign sample', so nothing else in this command changes.

    @Option(names = {"--output", "-o"}, paramLabel = "FILE.jsonl",
            description = "The per-item JSON lines (required to run models; see --resume and --force).")
    Path output;

    @Option(names = "--report", paramLabel = "PREFIX",
            description = "Prefix of the report files (default: --output without .jsonl).")
    Path report;

    @Option(names = "--resume", description = "Continue an interrupted --output FILE written with the same "
            + "settings: finished items are kept, the rest is appended; the final file and reports are identical "
            + "to an uninterrupted run's.")
    boolean resume;

    @Option(names = "--force", description = "Replace an existing --output FILE.")
    boolean force;

    @Option(names = "--aggregate", paramLabel = "FILE", arity = "1..*",
            description = "Build the reports from these finished output files (e.g. the --shard runs of a fleet; "
                    + "their settings must agree except for the shard) instead of running models; needs --report.")
    List<Path> aggregate;

    @Option(names = "--baseline-results", paramLabel = "FILE", arity = "1..*",
            description = "With --aggregate: output files of a separate 'qalign eval --methods mv' run on the "
                    + "baseline policy (e.g. the DPO model behind its own server); their majority-vote results "
                    + "become the baseline rows of the reports.")
    List<Path> baselineResults;

    @Option(names = "--score-responses", paramLabel = "FILE.jsonl",
            description = "With --dataset ifeval: score existing responses ({\"prompt\", \"response\"} lines, as in "
                    + "the IFEval release), print the four IFEval accuracies and write per-item results to --output "
                    + "(default: FILE.results.jsonl). No model is loaded.")
    Path scoreResponses;

    /** One item to run: its benchmark, the item and its position in the dataset. */
    private record Unit(Benchmark<Object> benchmark, Object item, int datasetIndex) {
        String id() {
            return benchmark.id(item);
        }

        List<ChatMessage> messages() {
            return benchmark.messages(item);
        }

        Optional<AnswerExtractor> extractor() {
            return benchmark.answerExtractor(item);
        }

        boolean correct(String response) {
            return benchmark.isCorrect(item, response);
        }

        boolean correctAnswer(String answer) {
            return benchmark.isCorrectAnswer(item, answer);
        }
    }

    @Override
    public Integer call() throws IOException {
        if (scoreResponses != null) {
            return scoreResponses();
        }
        if (aggregate != null) {
            return aggregateFiles();
        }
        if (baselineResults != null) {
            throw new ParameterException(cl(), "--baseline-results needs --aggregate");
        }
        return runModels();
    }

    private int scoreResponses() {
        if (!dataset.equals(List.of("ifeval"))) {
            throw new ParameterException(cl(), "--score-responses needs --dataset ifeval (got " + dataset + ")");
        }
        if (!Files.isRegularFile(scoreResponses)) {
            throw new ParameterException(cl(), "--score-responses: file not found: " + scoreResponses);
        }
        Path results = output != null ? output : scoreResponses.resolveSibling(
                scoreResponses.getFileName().toString().replaceFirst("\\.jsonl$", "") + ".results.jsonl");
        List<IfEvalResult> r = new IfEvalScorer(Datasets.ifeval()).score(scoreResponses, results);
        out().print(IfEvalAccuracy.of(r).report());
        out().println("per-item results: " + results);
        out().flush();
        return 0;
    }

    private List<String> datasets() {
        Set<String> names = new LinkedHashSet<>();
        for (String d : dataset) {
            String n = d.strip().toLowerCase(Locale.ROOT);
            if (n.equals("all")) {
                names.addAll(Benchmarks.NAMES);
            } else if (Benchmarks.NAMES.contains(n)) {
                names.add(n);
            } else {
                throw new ParameterException(cl(), "--dataset: unknown dataset '" + d + "'; expected one of "
                        + Benchmarks.NAMES + " or all");
            }
        }
        return Benchmarks.NAMES.stream().filter(names::contains).toList();
    }

    private int[] shard() {
        Matcher m = SHARD.matcher(shard);
        if (!m.matches()) {
            throw new ParameterException(cl(), "--shard: expected I/K (e.g. 0/4), got '" + shard + "'");
        }
        int i = Integer.parseInt(m.group(1));
        int k = Integer.parseInt(m.group(2));
        if (k < 1 || i >= k) {
            throw new ParameterException(cl(), "--shard: need 0 <= I < K, got " + shard);
        }
        return new int[] {i, k};
    }

    @SuppressWarnings("unchecked")
    private List<Unit> units(List<String> names, int[] sh) {
        List<Unit> units = new ArrayList<>();
        for (String name : names) {
            Benchmark<Object> b = (Benchmark<Object>) Benchmarks.byName(name);
            List<Object> items = b.items();
            int n = limit == null ? items.size() : Math.min(limit, items.size());
            for (int i = sh[0]; i < n; i += sh[1]) {
                units.add(new Unit(b, items.get(i), i));
            }
        }
        return units;
    }

    private int runModels() throws IOException {
        List<String> names = datasets();
        EnumSet<Method> ms = methodSet();
        Limits.checkBudget(cl(), "--budget", budget, ms);
        Limits.checkRange(cl(), "--chunk-items", chunkItems, 1, MAX_CHUNK_ITEMS);
        if (limit != null) {
            Limits.checkRange(cl(), "--limit", limit, 1, Integer.MAX_VALUE);
        }
        if (maxPromptTokens != null) {
            Limits.checkRange(cl(), "--max-prompt-tokens", maxPromptTokens, 1, Limits.MAX_TOKENS);
        }
        betaOptions.validate(cl());
        SamplingConfig sampling = samplingOptions.sampling(cl());
        modelOptions.validate(cl());
        ModelOptions.checkCheckpoint(cl(), "--baseline-policy", baselinePolicy);
        if (output == null) {
            throw new ParameterException(cl(), "--output FILE.jsonl is required to run models (per-item results "
                    + "are written there as they finish)");
        }
        if (resume && force) {
            throw new ParameterException(cl(), "--resume and --force are mutually exclusive");
        }
        int[] sh = shard();
        List<Unit> units = units(names, sh);
        if (units.isEmpty()) {
            throw new ParameterException(cl(), "no items to run (--limit " + limit + ", --shard " + shard + ")");
        }
        Limits.checkHeld(cl(), "--chunk-items " + chunkItems, Math.min(chunkItems, units.size()),
                budget * (baselinePolicy == null ? 1 : 2), sampling.maxCompletionTokens(),
                "--chunk-items, --budget or --max-tokens");
        ObjectNode settings = settings(names, ms, sampling, units);
        ResumeFile resumed = checkOutput(settings);
        Path prefix = reportPrefix();
        if (resumed != null && resumed.complete()) {
            err().println("qalign eval: " + output + " is already complete (" + resumed.results().size()
                    + " items); writing the reports");
            writeReports(resumed.settings(), resumed.results(), prefix);
            return 0;
        }
        long t0 = System.nanoTime();
        List<JsonNode> results = new ArrayList<>();
        try (LoadedModels models = load(modelOptions, sampling);
             LoadedModels baseline = baselinePolicy == null ? null
                     : parent.models().load(baselinePolicy, modelOptions.reward, modelOptions.device,
                             sampling.maxCompletionTokens())) {
            double beta;
            if (resumed != null) {
                beta = resumed.settings().get("beta").asDouble();
                settings = resumed.settings();
            } else {
                List<String> calibration = units.stream().limit(CALIBRATION_PROMPTS)
                        .map(u -> prompt(models.policy(), u).text()).toList();
                BetaChoice b = beta(betaOptions, models, calibration, sampling, samplingOptions.seed);
                beta = b.beta();
                settings.put("beta", beta).put("beta_source", b.source());
            }
            int first = 0;
            try (JsonlOutput sink = resumed != null ? JsonlOutput.appending(output, resumed.keepBytes())
                    : JsonlOutput.replacing(output)) {
                if (resumed == null) {
                    sink.write(settings + "\n", false);
                } else {
                    results.addAll(resumed.results());
                    first = results.size();
                }
                Progress p = progress();
                p.start("items", units.size() - first);
                for (int from = first; from < units.size(); from += chunkItems) {
                    int to = Math.min(units.size(), from + chunkItems);
                    List<ObjectNode> lines = runChunk(models, baseline, units.subList(from, to), from, ms,
                            sampling, beta);
                    StringBuilder block = new StringBuilder();
                    for (ObjectNode n : lines) {
                        block.append(n).append('\n');
                    }
                    sink.write(block.toString(), true);
                    results.addAll(lines);
                    p.step(to - from);
                }
                p.finish();
                ObjectNode sum = JSON.createObjectNode().put("type", "summary").put("items", units.size());
                sink.write(sum + "\n", true);
            }
        }
        err().printf(Locale.ROOT, "qalign eval: %d items (%d new) in %.1f s; wrote %s%n", units.size(),
                units.size() - (resumed == null ? 0 : resumed.results().size()), (System.nanoTime() - t0) / 1e9,
                output);
        writeReports(settings, results, prefix);
        return 0;
    }

    private EnumSet<Method> methodSet() {
        EnumSet<Method> ms = EnumSet.noneOf(Method.class);
        for (Method m : methods) {
            if (!TABLE_METHODS.contains(m)) {
                throw new ParameterException(cl(), "--methods: " + m.cliName() + " is not one of qalign, bon, mv, "
                        + "wmv");
            }
            ms.add(m);
        }
        return ms;
    }

    private Path reportPrefix() {
        if (report != null) {
            return report;
        }
        if (output == null) {
            throw new ParameterException(cl(), "--report PREFIX is required with --aggregate");
        }
        String f = output.getFileName().toString().replaceFirst("\\.jsonl$", "");
        return output.resolveSibling(f);
    }

    private ResumeFile checkOutput(ObjectNode settings) {
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new ParameterException(cl(), "--output: directory not found: " + parent);
        }
        if (Files.isDirectory(output)) {
            throw new ParameterException(cl(), "--output: is a directory: " + output);
        }
        if (!Files.exists(output)) {
            return null;
        }
        if (!Files.isRegularFile(output)) {
            throw new ParameterException(cl(), "--output: not a regular file: " + output);
        }
        long size;
        try {
            size = Files.size(output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + output + ": " + e.getMessage(), e);
        }
        if (resume) {
            if (size == 0) {
                return null;
            }
            return ResumeFile.forResume(cl(), output, settings, chunkItems, "items", "--chunk-items");
        }
        if (size > 0 && !force) {
            throw new ParameterException(cl(), "--output: " + output + " exists (" + size + " bytes); pass --resume "
                    + "to continue it or --force to replace it");
        }
        return null;
    }

    private ObjectNode settings(List<String> names, Set<Method> ms, SamplingConfig sampling, List<Unit> units) {
        ObjectNode n = JSON.createObjectNode().put("type", "settings").put("format", "qalign-eval")
                .put("format_version", 1).put("qalign_version", QalignCli.VERSION);
        ArrayNode ds = n.putArray("datasets");
        names.forEach(ds::add);
        ArrayNode m = n.putArray("methods");
        TABLE_METHODS.stream().filter(ms::contains).forEach(x -> m.add(x.cliName()));
        n.put("budget", budget);
        if (betaOptions.beta != null) {
            n.put("beta_option", betaOptions.beta.doubleValue());
        } else {
            n.putNull("beta_option");
        }
        if (betaOptions.targetAcceptance != null) {
            n.put("target_acceptance", betaOptions.targetAcceptance.doubleValue());
        } else {
            n.putNull("target_acceptance");
        }
        n.put("temperature", sampling.temperature()).put("max_tokens", sampling.maxCompletionTokens());
        n.put("seed", samplingOptions.seed);
        n.put("policy", modelOptions.policy == null ? SampleSettings.EMBEDDED_POLICY : canonical(modelOptions.policy));
        n.put("reward", modelOptions.reward == null ? SampleSettings.EMBEDDED_REWARD : canonical(modelOptions.reward));
        if (baselinePolicy != null) {
            n.put("baseline_policy", canonical(baselinePolicy));
        } else {
            n.putNull("baseline_policy");
        }
        n.put("device", modelOptions.device);
        // every option of the model mixin as given (nested mixins included, e.g. the model-server endpoints), so a
        // resumed or aggregated run is checked against the same backend
        ObjectNode mo = n.putObject("model_options");
        picocli.CommandLine.Model.CommandSpec mixin = spec.mixins().get("modelOptions");
        if (mixin != null) {
            for (picocli.CommandLine.Model.OptionSpec o : mixin.options()) {
                Object v = o.getValue();
                if (v == null) {
                    mo.putNull(o.longestName());
                } else {
                    mo.put(o.longestName(), String.valueOf(v));
                }
            }
        }
        if (limit != null) {
            n.put("limit", limit.intValue());
        } else {
            n.putNull("limit");
        }
        if (maxPromptTokens != null) {
            n.put("max_prompt_tokens", maxPromptTokens.intValue());
        } else {
            n.putNull("max_prompt_tokens");
        }
        n.put("shard", shard).put("chunk_items", chunkItems).put("item_count", units.size())
                .put("item_ids_sha256", sha256(units.stream().map(Unit::id).toList()));
        n.put("calibration_prompts", Math.min(CALIBRATION_PROMPTS, units.size()))
                .put("calibration_steps", CALIBRATION_STEPS);
        return n;
    }

    private static String canonical(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }

    static String sha256(List<String> ids) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String id : ids) {
                md.update((id + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /**
     * The prompts of a chunk keyed by their items' ids: with the seed, an item's id fixes every draw of its samples
     * and chains (qalign-core's per-prompt streams), so resumed, limited, sharded and differently chunked runs draw
     * the same numbers for it.
     */
    private static List<KeyedPrompt> keyed(List<Prompt> prompts, List<Unit> chunk) {
        List<KeyedPrompt> out = new ArrayList<>(prompts.size());
        for (int k = 0; k < prompts.size(); k++) {
            Unit u = chunk.get(k);
            out.add(KeyedPrompt.of(prompts.get(k), u.benchmark().name() + "/" + u.id()));
        }
        return out;
    }

    /** The run seed of one of the three sampler runs of a chunk (independent samples, QAlign, baseline policy). */
    private long runSeed(int run) {
        return RandomStreams.streamSeed(samplingOptions.seed, run, 0);
    }

    private List<ObjectNode> runChunk(LoadedModels models, LoadedModels baseline, List<Unit> chunk, int from,
                                      Set<Method> ms, SamplingConfig sampling, double beta) {
        // each chunk starts from empty prefix caches: its reported compute is the same in a resumed run
        models.forgetCaches().run();
        if (baseline != null) {
            baseline.forgetCaches().run();
        }
        List<ObjectNode> lines = new ArrayList<>();
        for (int k = 0; k < chunk.size(); k++) {
            Unit u = chunk.get(k);
            ObjectNode n = JSON.createObjectNode().put("type", "result").put("prompt_index", from + k)
                    .put("dataset", u.benchmark().name()).put("item_index", u.datasetIndex()).put("id", u.id());
            n.putArray("runs");
            lines.add(n);
        }
        List<Prompt> prompts = new ArrayList<>();
        for (int k = 0; k < chunk.size(); k++) {
            Prompt p = prompt(models.policy(), chunk.get(k));
            prompts.add(p);
            lines.get(k).put("prompt_tokens", p.ids().length())
                    .put("prompt_truncated", !p.messages().equals(chunk.get(k).messages()));
        }
        boolean needsReward = ms.contains(Method.BON) || ms.contains(Method.WMV);
        if (ms.contains(Method.BON) || ms.contains(Method.MV) || ms.contains(Method.WMV)) {
            IndependentResult r = IndependentSampler.builder().languageModel(models.policy())
                    .rewardModel(needsReward ? models.reward() : NO_REWARD).samplesPerPrompt(budget)
                    .sampling(sampling).build().runKeyed(keyed(prompts, chunk), runSeed(0));
            for (int k = 0; k < chunk.size(); k++) {
                PromptSamples ps = r.prompts().get(k);
                for (Method m : List.of(Method.BON, Method.MV, Method.WMV)) {
                    if (ms.contains(m)) {
                        addRun(lines.get(k), chunk.get(k), POLICY, m, beta, ps.samples(),
                                b -> m == Method.MV ? lmOnly(ps.usage(b)) : ps.usage(b));
                    }
                }
            }
        }
        if (ms.contains(Method.QALIGN)) {
            QAlignResult r = QAlignSampler.builder().languageModel(models.policy()).rewardModel(models.reward())
                    .beta(beta).steps(budget - 1).chainsPerPrompt(1).sampling(sampling).build()
                    .runKeyed(keyed(prompts, chunk), runSeed(1));
            for (int k = 0; k < chunk.size(); k++) {
                PromptResult pr = r.prompts().get(k);
                addRun(lines.get(k), chunk.get(k), POLICY, Method.QALIGN, beta, pr.chains().get(0).states(),
                        b -> pr.usage(b - 1));
                if (budget > 1) {
                    lines.get(k).put("acceptance_rate",
                            io.github.qalign.diagnostics.ChainDiagnostics.of(pr.chains().get(0)).acceptanceRate());
                }
            }
        }
        if (baseline != null) {
            List<Prompt> bp = chunk.stream().map(u -> prompt(baseline.policy(), u)).toList();
            IndependentResult r = IndependentSampler.builder().languageModel(baseline.policy())
                    .rewardModel(NO_REWARD).samplesPerPrompt(budget).sampling(sampling).build()
                    .runKeyed(keyed(bp, chunk), runSeed(2));
            for (int k = 0; k < chunk.size(); k++) {
                PromptSamples ps = r.prompts().get(k);
                addRun(lines.get(k), chunk.get(k), BASELINE, Method.MV, beta, ps.samples(),
                        b -> lmOnly(ps.usage(b)));
            }
        }
        return lines;
    }

    /**
     * The item's prompt rendered by the policy (its chat template); with --max-prompt-tokens, the longest end of the
     * user message whose rendering fits (binary search over the number of characters kept).
     */
    private Prompt prompt(LanguageModel lm, Unit u) {
        List<ChatMessage> messages = u.messages();
        Prompt full = tryPrompt(lm, messages);
        if (maxPromptTokens == null) {
            if (full == null) {
                throw new IllegalStateException("item " + u.id() + ": the policy cannot take its prompt (too long "
                        + "for its context?); toy models can use --max-prompt-tokens");
            }
            return full;
        }
        if (full != null && full.ids().length() <= maxPromptTokens) {
            return full;
        }
        ChatMessage last = messages.get(messages.size() - 1);
        String content = last.content();
        int lo = 1;
        int hi = content.length();
        Prompt best = null;
        while (lo <= hi) {
            int keep = (lo + hi) >>> 1;
            List<ChatMessage> cut = new ArrayList<>(messages.subList(0, messages.size() - 1));
            cut.add(new ChatMessage(last.role(), content.substring(content.length() - keep)));
            Prompt p = tryPrompt(lm, cut);
            if (p != null && p.ids().length() <= maxPromptTokens) {
                best = p;
                lo = keep + 1;
            } else {
                hi = keep - 1;
            }
        }
        if (best == null) {
            throw new IllegalStateException("item " + u.id() + ": even an empty user message renders to more than "
                    + "--max-prompt-tokens " + maxPromptTokens + " tokens");
        }
        return best;
    }

    private static Prompt tryPrompt(LanguageModel lm, List<ChatMessage> messages) {
        try {
            return lm.prompt(messages);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Majority vote reads no reward: the reward model is neither run nor charged. */
    private static final RewardModel NO_REWARD = requests -> {
        List<Reward> out = new ArrayList<>(requests.size());
        for (RewardRequest ignored : requests) {
            out.add(new Reward(0.0, io.github.qalign.model.TokenUsage.ZERO));
        }
        return out;
    };

    private static ComputeUsage lmOnly(ComputeUsage u) {
        return ComputeUsage.ofLm(u.lm(), u.lmParameters());
    }

    private static void addRun(ObjectNode line, Unit u, String policy, Method m, double beta,
                               List<ScoredSample> samples, IntFunction<ComputeUsage> usageAt) {
        List<EvalSelection.Pick> picks = EvalSelection.sweep(m, u.extractor(), beta, samples);
        ObjectNode run = ((ArrayNode) line.get("runs")).addObject().put("policy", policy).put("method", m.cliName());
        ArrayNode budgets = run.putArray("budgets");
        ArrayNode correct = run.putArray("correct");
        ArrayNode answers = run.putArray("answers");
        ArrayNode index = run.putArray("index");
        ArrayNode lmFlops = run.putArray("lm_flops");
        ArrayNode rmFlops = run.putArray("rm_flops");
        ArrayNode lmTokens = run.putArray("lm_tokens");
        ArrayNode rmTokens = run.putArray("rm_tokens");
        Map<Integer, Boolean> correctByIndex = new LinkedHashMap<>();
        boolean vote = u.extractor().isPresent() && m != Method.BON;
        for (EvalSelection.Pick p : picks) {
            boolean ok;
            if (vote) {
                ok = p.answer().map(u::correctAnswer).orElse(false);
            } else {
                ok = correctByIndex.computeIfAbsent(p.index(), i -> u.correct(samples.get(i).text()));
            }
            ComputeUsage c = usageAt.apply(p.budget());
            budgets.add(p.budget());
            correct.add(ok);
            if (p.answer().isPresent()) {
                answers.add(p.answer().get());
            } else {
                answers.addNull();
            }
            index.add(p.index());
            lmFlops.add(c.lmFlops());
            rmFlops.add(c.rmFlops());
            lmTokens.add(c.lm().computedTokens());
            rmTokens.add(c.rm().computedTokens());
        }
        EvalSelection.Pick last = picks.get(picks.size() - 1);
        if (last.index() >= 0) {
            run.put("text", samples.get(last.index()).text());
        } else {
            run.putNull("text");
        }
    }

    /**
     * The outcomes of result lines, for {@link EvalAggregate}.
     *
     * @param results result lines of {@code qalign eval} output files
     * @return one outcome per item, run and budget
     * @throws IllegalArgumentException naming the item when a line lacks a field or its arrays disagree
     */
    static List<EvalAggregate.Outcome> outcomes(List<JsonNode> results) {
        List<EvalAggregate.Outcome> out = new ArrayList<>();
        for (JsonNode r : results) {
            String where = "result line of item " + r.path("id").asText("?");
            String dataset = r.path("dataset").asText(null);
            JsonNode runs = r.get("runs");
            if (dataset == null || runs == null || !runs.isArray()) {
                throw new IllegalArgumentException(where + ": missing 'dataset' or 'runs'");
            }
            for (JsonNode run : runs) {
                Method m;
                try {
                    m = Method.valueOf(run.path("method").asText("").toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": unknown method " + run.path("method"), e);
                }
                JsonNode b = run.path("budgets");
                JsonNode c = run.path("correct");
                JsonNode lf = run.path("lm_flops");
                JsonNode rf = run.path("rm_flops");
                if (!b.isArray() || b.size() == 0 || c.size() != b.size() || lf.size() != b.size()
                        || rf.size() != b.size()) {
                    throw new IllegalArgumentException(where + ": 'budgets', 'correct', 'lm_flops' and 'rm_flops' "
                            + "must be arrays of one length");
                }
                for (int i = 0; i < b.size(); i++) {
                    out.add(new EvalAggregate.Outcome(dataset, run.path("policy").asText(POLICY), m,
                            b.get(i).asInt(), c.get(i).asBoolean(), lf.get(i).asDouble(), rf.get(i).asDouble()));
                }
            }
        }
        return out;
    }

    private static String modelLabel(JsonNode settings, String field) {
        JsonNode endpoint = settings.path("model_options").path("--policy-endpoint");
        if (field.equals("policy") && endpoint.isTextual() && !endpoint.asText().equals("[]")) {
            JsonNode tok = settings.path("model_options").path("--policy-tokenizer");
            if (tok.isTextual()) {
                Path t = Path.of(tok.asText()).getFileName();
                return t == null ? tok.asText() : t.toString();
            }
            return endpoint.asText();
        }
        JsonNode v = settings.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        String s = v.asText();
        if (s.startsWith("embedded:")) {
            return s.substring("embedded:".length());
        }
        Path p = Path.of(s).getFileName();
        return p == null ? s : p.toString();
    }

    private void writeReports(JsonNode settings, List<JsonNode> results, Path prefix) {
        List<EvalAggregate.Row> rows = EvalAggregate.rows(outcomes(results));
        Map<String, String> models = new LinkedHashMap<>();
        models.put(POLICY, modelLabel(settings, "policy"));
        String base = modelLabel(settings, "baseline_policy");
        if (base != null) {
            models.put(BASELINE, base);
        }
        Path abs = prefix.toAbsolutePath();
        if (abs.getParent() != null && !Files.isDirectory(abs.getParent())) {
            throw new ParameterException(cl(), "--report: directory not found: " + abs.getParent());
        }
        Path csv = Path.of(prefix + ".accuracy.csv");
        EvalReport.write(csv, EvalReport.accuracyCsv(rows, models));
        String md = EvalReport.tableMarkdown(rows, models);
        EvalReport.write(Path.of(prefix + ".table1.md"), md);
        EvalReport.write(Path.of(prefix + ".table1.csv"), EvalReport.tableCsv(rows, models));
        EvalPlot.figure1(rows, models, Path.of(prefix + ".figure1.png"));
        EvalPlot.figure6(rows, models, Path.of(prefix + ".figure6.png"));
        out().print(md);
        out().println("reports: " + prefix + ".{accuracy.csv,table1.md,table1.csv,figure1.png,figure6.png}");
        out().flush();
    }

    private int aggregateFiles() {
        if (report == null) {
            throw new ParameterException(cl(), "--aggregate needs --report PREFIX");
        }
        Group main = readGroup(aggregate, "--aggregate");
        List<JsonNode> results = new ArrayList<>(main.results());
        ObjectNode settings = main.settings().deepCopy();
        if (baselineResults != null) {
            if (!settings.path("baseline_policy").isNull()) {
                throw new ParameterException(cl(), "--baseline-results: the --aggregate files already hold a "
                        + "baseline policy (" + settings.path("baseline_policy").asText() + ")");
            }
            Group base = readGroup(baselineResults, "--baseline-results");
            if (!base.settings().path("methods").toString().contains("\"mv\"")) {
                throw new ParameterException(cl(), "--baseline-results: " + baselineResults.get(0) + " has no "
                        + "majority-vote runs (--methods mv)");
            }
            settings.set("baseline_policy", base.settings().get("policy"));
            for (JsonNode r : base.results()) {
                ObjectNode copy = r.deepCopy();
                ArrayNode runs = copy.putArray("runs");
                for (JsonNode run : r.path("runs")) {
                    if (run.path("policy").asText().equals(POLICY) && run.path("method").asText().equals("mv")) {
                        runs.add(((ObjectNode) run.deepCopy()).put("policy", BASELINE));
                    }
                }
                results.add(copy);
            }
        }
        writeReports(settings, results, report);
        return 0;
    }

    /** The settings (without shard-specific fields) and results of output files that belong together. */
    private record Group(ObjectNode settings, List<JsonNode> results) {
    }

    private Group readGroup(List<Path> files, String option) {
        ObjectNode first = null;
        List<JsonNode> results = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new ParameterException(cl(), option + ": file not found: " + f);
            }
            ResumeFile r;
            try {
                r = ResumeFile.read(f);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl(), option + ": " + e.getMessage());
            }
            if (!r.settings().path("format").asText().equals("qalign-eval")) {
                throw new ParameterException(cl(), option + ": " + f + " is not a 'qalign eval' output");
            }
            if (!r.complete()) {
                throw new ParameterException(cl(), option + ": " + f + " is unfinished (" + r.results().size()
                        + " items, no summary line); finish it with --resume first");
            }
            ObjectNode s = r.settings().deepCopy();
            for (String k : List.of("shard", "item_count", "item_ids_sha256", "calibration_prompts")) {
                s.remove(k);
            }
            if (first == null) {
                first = s;
            } else {
                String diff = SampleSettings.difference(first, s);
                if (diff != null || first.path("beta").asDouble() != s.path("beta").asDouble()) {
                    throw new ParameterException(cl(), option + ": " + f + " was run with other settings than "
                            + files.get(0) + ": " + (diff != null ? diff : "beta differs"));
                }
            }
            for (JsonNode res : r.results()) {
                if (!seen.add(res.path("id").asText())) {
                    throw new ParameterException(cl(), option + ": item " + res.path("id").asText()
                            + " appears twice (in " + f + ")");
                }
                results.add(res);
            }
        }
        return new Group(first, results);
    }
}
