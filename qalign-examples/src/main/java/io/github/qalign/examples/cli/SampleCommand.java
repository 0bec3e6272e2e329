package io.github.qalign.examples.cli;

import io.github.qalign.answer.AnswerFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.diagnostics.ChainDiagnostics;
import io.github.qalign.examples.experiment.Method;
import io.github.qalign.examples.experiment.Progress;
import io.github.qalign.examples.experiment.Selections;
import io.github.qalign.examples.io.PromptsFile;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.sampler.ChainResult;
import io.github.qalign.sampler.ChainStep;
import io.github.qalign.sampler.IndependentResult;
import io.github.qalign.sampler.IndependentSampler;
import io.github.qalign.sampler.KeyedPrompt;
import io.github.qalign.sampler.PromptResult;
import io.github.qalign.sampler.PromptSamples;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code qalign sample}: run one method on some prompts, JSON lines out. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Run one method (qalign, bon, mv, wmv, mbr) on prompts; JSON lines out.",
        description = {"Run one method on prompts and write JSON lines: a settings line (every knob, models, seed, "
                + "version), then per prompt every sample (QAlign: every chain step with its candidate, rewards, log "
                + "acceptance ratio and decision) and the selected answer with diagnostics, compute and the prompt's "
                + "input fields, then a summary. Each prompt's lines are written as soon as it is finished. Schema: "
                + "docs/jsonl-schema.md.",
            "",
            "Methods: qalign = MCMC chain(s) targeting p_LM(y|x) exp(r/beta), answer by MBR (ROUGE-1) over the chain "
                + "states; bon = best-of-n; mv = majority vote over extracted answers; wmv = majority vote "
                + "weighted by softmax(r/beta); mbr = minimum Bayes risk (ROUGE-1) over independent samples."})
final class SampleCommand extends CommandSupport implements Callable<Integer> {

    /** Default of --chunk-prompts. */
    static final int DEFAULT_CHUNK_PROMPTS = 8;
    /** Largest --chunk-prompts. */
    static final int MAX_CHUNK_PROMPTS = 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--prompt", paramLabel = "TEXT",
            description = "A prompt (repeat the option for several). Exclusive with --prompts.")
    List<String> prompt;

    @Option(names = "--prompts", paramLabel = "FILE.jsonl",
            description = "A JSON-lines file with one {\"prompt\": \"...\"} object per line; its other fields "
                    + "(e.g. \"id\") are copied to the prompt's result line as \"input\". Exclusive with --prompt.")
    Path promptsFile;

    @Option(names = "--method", paramLabel = "METHOD", defaultValue = "qalign",
            description = "qalign, bon, mv, wmv or mbr (default: ${DEFAULT-VALUE}).")
    Method method;

    @Option(names = "--budget", paramLabel = "N", defaultValue = "16",
            description = "Samples per prompt: independent samples for bon/mv/wmv/mbr; chain states for qalign "
                    + "(each chain = 1 initial sample + budget/chains - 1 steps, each step re-samples a random "
                    + "suffix). Compute grows linearly with it. At most 65536, 4096 for qalign and mbr (MBR is "
                    + "quadratic in it) (default: ${DEFAULT-VALUE}).")
    int budget;

    @Option(names = "--chains", paramLabel = "C", defaultValue = "1",
            description = "qalign only: independent chains per prompt; must divide --budget (default: "
                    + "${DEFAULT-VALUE}).")
    int chains;

    @Mixin
    BetaOptions betaOptions;

    @Option(names = "--answer", paramLabel = "FORMAT", defaultValue = "text",
            description = "mv/wmv only: what votes are cast on: text (whole completion), number (last number), "
                    + "boxed (\\boxed{...}), choice (letter A-J) (default: ${DEFAULT-VALUE}).")
    AnswerFormat answer;

    @Option(names = {"--output", "-o"}, paramLabel = "FILE",
            description = "Write the JSON lines to FILE instead of stdout; each prompt's lines are written as soon "
                    + "as the prompt is finished (see --resume, --force and docs/jsonl-schema.md).")
    Path output;

    @Mixin
    SamplingOptions samplingOptions;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--chunk-prompts", paramLabel = "K", defaultValue = "" + DEFAULT_CHUNK_PROMPTS,
            description = "Prompts run together, in one batched sampler run (1.." + MAX_CHUNK_PROMPTS + "). A chunk's "
                    + "prompts finish together and are written together; larger chunks batch more work per model "
                    + "call, smaller ones lose less to an interruption. The samples do not depend on it (each "
                    + "prompt draws from streams made from the seed and its index in the input), but the reported "
                    + "compute does (prefix caches are shared within a chunk), so it is part of the settings "
                    + "(default: ${DEFAULT-VALUE}).")
    int chunkPrompts;

    @Option(names = "--resume",
            description = "Continue an interrupted --output FILE: its settings line must match this run's settings "
                    + "(else exit 2), its finished prompts are kept and skipped, lines of an unfinished prompt are "
                    + "cut, and the remaining prompts are appended. The file is then byte-identical to an "
                    + "uninterrupted run with the same settings. A missing FILE starts a new run; a complete one "
                    + "is left as it is.")
    boolean resume;

    @Option(names = "--force",
            description = "Replace an existing --output FILE. The old file stays in place until the new run has "
                    + "finished its first prompt (the new lines go to a temporary file in the same directory, "
                    + "which then replaces it atomically). Without --force or --resume an existing non-empty FILE "
                    + "is a usage error.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        List<PromptsFile.Entry> entries = prompts();
        Limits.checkBudget(cl(), "--budget", budget, EnumSet.of(method));
        Limits.checkRange(cl(), "--chains", chains, 1, budget);
        Limits.checkRange(cl(), "--chunk-prompts", chunkPrompts, 1, MAX_CHUNK_PROMPTS);
        if (method != Method.QALIGN && chains != 1) {
            throw new ParameterException(cl(), "--chains applies to --method qalign only");
        }
        if (budget % chains != 0) {
            throw new ParameterException(cl(), "--budget " + budget + " is not a multiple of --chains " + chains);
        }
        betaOptions.validate(cl());
        if (betaOptions.given() && method != Method.QALIGN && method != Method.WMV) {
            throw new ParameterException(cl(), "--beta/--target-acceptance apply to --method qalign or wmv only");
        }
        SamplingConfig sampling = samplingOptions.sampling(cl());
        Limits.checkHeld(cl(), "--chunk-prompts " + chunkPrompts, Math.min(chunkPrompts, entries.size()), budget,
                sampling.maxCompletionTokens(), "--chunk-prompts, --budget or --max-tokens");
        modelOptions.validate(cl());
        ObjectNode settings = settings(entries, sampling);
        ResumeFile resumed = checkOutput(settings);
        if (resumed != null && resumed.complete()) {
            err().println("qalign sample: " + output + " is already complete (" + resumed.results().size()
                    + " prompts); nothing to do");
            err().flush();
            return 0;
        }
        long t0 = System.nanoTime();
        try (LoadedModels models = load(modelOptions, sampling)) {
            boolean usesBeta = method == Method.QALIGN || method == Method.WMV;
            BetaChoice beta;
            if (resumed != null) {
                JsonNode b = resumed.settings().get("beta");
                beta = usesBeta ? new BetaChoice(b.asDouble(), null, resumed.settings().path("beta_source").asText())
                        : null;
            } else {
                beta = usesBeta ? beta(betaOptions, models, entries.stream().map(PromptsFile.Entry::prompt).toList(),
                        sampling, samplingOptions.seed) : null;
                if (beta != null) {
                    settings.put("beta", beta.beta()).put("beta_source", beta.source());
                } else {
                    settings.putNull("beta").putNull("beta_source");
                }
            }
            Totals totals = new Totals();
            int first = 0;
            try (JsonlOutput sink = openSink(resumed)) {
                if (resumed == null) {
                    sink.write(settings + "\n", false);
                } else {
                    for (JsonNode r : resumed.results()) {
                        totals.add(r);
                    }
                    first = resumed.results().size();
                }
                Selections selections = new Selections(answer.extractor(), beta == null ? 1.0 : beta.beta());
                Progress p = progress();
                p.start("prompts", entries.size() - first);
                for (int from = first; from < entries.size(); from += chunkPrompts) {
                    int to = Math.min(entries.size(), from + chunkPrompts);
                    // each chunk starts from empty prefix caches: its reported compute is the same whether or not
                    // the run was resumed
                    models.forgetCaches().run();
                    List<Prompt> chunk = entries.subList(from, to).stream()
                            .map(e -> models.policy().prompt(e.prompt())).toList();
                    List<StringBuilder> blocks = method == Method.QALIGN
                            ? runQAlign(models, chunk, from, entries, sampling, beta.beta(), selections, totals)
                            : runIndependent(models, chunk, from, entries, sampling, beta, selections, totals);
                    for (StringBuilder block : blocks) {
                        sink.write(block.toString(), true);
                    }
                    p.step(to - from);
                }
                p.finish();
                ObjectNode sum = JSON.createObjectNode().put("type", "summary").put("method", method.cliName())
                        .put("prompts", entries.size()).put("budget", budget).put("seed", samplingOptions.seed);
                if (beta != null) {
                    sum.put("beta", beta.beta()).put("beta_source", beta.source());
                }
                if (method == Method.QALIGN && budget / chains > 1) {
                    sum.put("acceptance_rate", totals.acceptanceSum / totals.prompts);
                }
                totals.write(sum.putObject("compute"));
                sink.write(sum + "\n", true);
            }
            if (output != null) {
                err().printf(java.util.Locale.ROOT, "qalign sample: wrote %s: %d prompts (%d new) in %.1f s%n",
                        output, entries.size(), entries.size() - first, (System.nanoTime() - t0) / 1e9);
                err().flush();
            }
        }
        return 0;
    }

    /**
     * Checks --output against --resume/--force before any model is loaded.
     *
     * @return the file to resume, or null for a new run
     */
    private ResumeFile checkOutput(ObjectNode settings) {
        if (resume && force) {
            throw new ParameterException(cl(), "--resume and --force are mutually exclusive");
        }
        if (output == null) {
            if (resume || force) {
                throw new ParameterException(cl(), (resume ? "--resume" : "--force") + " needs --output FILE");
            }
            return null;
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new ParameterException(cl(), "--output: directory not found: " + parent);
        }
        if (Files.isDirectory(output)) {
            throw new ParameterException(cl(), "--output: is a directory: " + output);
        }
        if (!Files.exists(output) || !Files.isRegularFile(output)) {
            if (resume && Files.exists(output)) {
                throw new ParameterException(cl(), "--resume: not a regular file: " + output);
            }
            return null;
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
            return ResumeFile.forResume(cl(), output, settings, chunkPrompts, "prompts", "--chunk-prompts");
        }
        if (size > 0 && !force) {
            throw new ParameterException(cl(), "--output: " + output + " exists (" + size + " bytes); pass --resume "
                    + "to continue it or --force to replace it");
        }
        return null;
    }

    private JsonlOutput openSink(ResumeFile resumed) {
        if (output == null) {
            return JsonlOutput.stdout(out());
        }
        if (resumed != null) {
            return JsonlOutput.appending(output, resumed.keepBytes());
        }
        if (Files.exists(output) && !Files.isRegularFile(output)) {
            return JsonlOutput.device(output);
        }
        return JsonlOutput.replacing(output);
    }

    private ObjectNode settings(List<PromptsFile.Entry> entries, SamplingConfig sampling) {
        return SampleSettings.builder().method(method).budget(budget).chains(chains).chunkPrompts(chunkPrompts)
                .betaOptions(betaOptions)
                .answer(answer).sampling(sampling).seed(samplingOptions.seed).models(modelOptions)
                .prompts(promptsFile, entries).build();
    }

    private List<PromptsFile.Entry> prompts() {
        boolean inline = prompt != null && !prompt.isEmpty();
        if (inline == (promptsFile != null)) {
            throw new ParameterException(cl(), "give exactly one of --prompt TEXT or --prompts FILE.jsonl");
        }
        if (inline) {
            for (String p : prompt) {
                if (p.isBlank()) {
                    throw new ParameterException(cl(), "--prompt must not be blank");
                }
            }
            return prompt.stream().map(PromptsFile.Entry::of).toList();
        }
        if (!Files.exists(promptsFile)) {
            throw new ParameterException(cl(), "--prompts: file not found: " + promptsFile);
        }
        if (!Files.isRegularFile(promptsFile)) {
            throw new ParameterException(cl(), "--prompts: not a regular file: " + promptsFile);
        }
        try {
            return PromptsFile.readEntries(promptsFile);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl(), "--prompts: " + e.getMessage());
        }
    }

    /**
     * The prompts of the chunk starting at input index {@code from}, keyed by their input index: with the seed, the
     * key fixes every draw of a prompt, so a resumed run, another chunk size or another batch draws the same.
     */
    private static List<KeyedPrompt> keyed(List<Prompt> chunk, int from) {
        List<KeyedPrompt> out = new ArrayList<>(chunk.size());
        for (int k = 0; k < chunk.size(); k++) {
            out.add(KeyedPrompt.of(chunk.get(k), "prompt-" + (from + k)));
        }
        return out;
    }

    private List<StringBuilder> runIndependent(LoadedModels models, List<Prompt> chunk, int from,
                                               List<PromptsFile.Entry> entries, SamplingConfig sampling,
                                               BetaChoice beta, Selections selections, Totals totals) {
        IndependentSampler sampler = IndependentSampler.builder().languageModel(models.policy())
                .rewardModel(models.reward()).samplesPerPrompt(budget).sampling(sampling).build();
        AnswerExtractor ex = answer.extractor();
        List<StringBuilder> blocks = new ArrayList<>();
        IndependentResult r = sampler.runKeyed(keyed(chunk, from), samplingOptions.seed);
        for (int k = 0; k < chunk.size(); k++) {
            int promptIndex = from + k;
            PromptSamples s = r.prompts().get(k);
            StringBuilder block = new StringBuilder();
            List<ScoredSample> samples = s.samples();
            for (int i = 0; i < samples.size(); i++) {
                ObjectNode n = sample("sample", promptIndex, samples.get(i));
                n.put("sample", i);
                block.append(n).append('\n');
            }
            int idx = selections.select(method, samples);
            ObjectNode res = result(promptIndex, s.prompt(), entries.get(promptIndex), samples.get(idx), idx,
                    s.usage());
            if (method == Method.MV || method == Method.WMV) {
                res.put("answer", ex.extract(samples.get(idx).text()).orElse(null));
            }
            if (beta != null) {
                res.put("beta", beta.beta());
            }
            totals.add(res);
            blocks.add(block.append(res).append('\n'));
        }
        return blocks;
    }

    private List<StringBuilder> runQAlign(LoadedModels models, List<Prompt> chunk, int from,
                                          List<PromptsFile.Entry> entries, SamplingConfig sampling, double beta,
                                          Selections selections, Totals totals) {
        int steps = budget / chains - 1;
        QAlignSampler sampler = QAlignSampler.builder().languageModel(models.policy()).rewardModel(models.reward())
                .beta(beta).steps(steps).chainsPerPrompt(chains).sampling(sampling).build();
        List<StringBuilder> blocks = new ArrayList<>();
        QAlignResult r = sampler.runKeyed(keyed(chunk, from), samplingOptions.seed);
        for (int k = 0; k < chunk.size(); k++) {
            int promptIndex = from + k;
            PromptResult pr = r.prompts().get(k);
            StringBuilder block = new StringBuilder();
            writeChains(block, promptIndex, pr);
            List<ScoredSample> samples = pr.samples();
            int idx = selections.select(method, samples);
            ObjectNode res = result(promptIndex, pr.prompt(), entries.get(promptIndex), samples.get(idx), idx,
                    pr.usage(steps));
            res.put("beta", beta);
            ObjectNode diag = res.putObject("diagnostics");
            List<ChainDiagnostics> ds = pr.chains().stream().map(ChainDiagnostics::of).toList();
            diag.put("acceptance_rate", ds.stream().mapToDouble(ChainDiagnostics::acceptanceRate)
                    .average().orElse(0));
            diag.put("reward_ess", ds.stream().mapToDouble(ChainDiagnostics::rewardEss).sum());
            diag.put("mean_relative_index", ds.stream()
                    .mapToDouble(ChainDiagnostics::meanRelativeIndex).average().orElse(0));
            diag.put("mean_generated_tokens_per_step", ds.stream()
                    .mapToDouble(ChainDiagnostics::meanGeneratedTokens).average().orElse(0));
            totals.add(res);
            blocks.add(block.append(res).append('\n'));
        }
        return blocks;
    }

    private static void writeChains(StringBuilder block, int promptIndex, PromptResult pr) {
        for (ChainResult c : pr.chains()) {
            ObjectNode init = sample("step", promptIndex, c.initial());
            init.put("chain", c.chainIndex()).put("step", 0).put("accepted", true);
            block.append(init).append('\n');
            for (ChainStep s : c.steps()) {
                ObjectNode n = JSON.createObjectNode().put("type", "step").put("prompt_index", promptIndex)
                        .put("chain", c.chainIndex()).put("step", s.step()).put("index", s.index())
                        .put("current_length", s.currentLength()).put("current_reward", s.currentReward());
                ObjectNode cand = n.putObject("candidate");
                cand.put("text", s.candidate().text()).put("reward", s.candidate().reward())
                        .put("tokens", s.candidate().completion().length())
                        .put("finish", s.candidate().finishReason().name());
                n.put("log_alpha", s.logAlpha()).put("accepted", s.accepted())
                        .put("state_reward", s.state().reward());
                block.append(n).append('\n');
            }
        }
    }

    private static ObjectNode sample(String type, int promptIndex, ScoredSample s) {
        return JSON.createObjectNode().put("type", type).put("prompt_index", promptIndex).put("text", s.text())
                .put("reward", s.reward()).put("tokens", s.completion().length())
                .put("finish", s.finishReason().name());
    }

    private ObjectNode result(int promptIndex, Prompt prompt, PromptsFile.Entry entry, ScoredSample chosen,
                              int index, ComputeUsage usage) {
        ObjectNode n = JSON.createObjectNode().put("type", "result").put("prompt_index", promptIndex)
                .put("prompt", prompt.text());
        n.set("input", entry.fields());
        n.put("method", method.cliName()).put("budget", budget);
        n.putObject("selected").put("index", index).put("text", chosen.text()).put("reward", chosen.reward());
        compute(n.putObject("compute"), usage);
        return n;
    }

    private static void compute(ObjectNode n, ComputeUsage u) {
        n.put("lm_computed_input_tokens", u.lm().computedInputTokens())
                .put("lm_reused_input_tokens", u.lm().reusedInputTokens())
                .put("lm_generated_tokens", u.lm().generatedTokens())
                .put("rm_computed_tokens", u.rm().computedTokens())
                .put("rm_reused_tokens", u.rm().reusedInputTokens())
                .put("lm_parameters", u.lmParameters()).put("rm_parameters", u.rmParameters())
                .put("flops", u.flops());
    }

    /** Sums of the result lines' compute fields and acceptance rates, in prompt order (resumed or new alike). */
    static final class Totals {
        private static final String[] COUNTS = {"lm_computed_input_tokens", "lm_reused_input_tokens",
            "lm_generated_tokens", "rm_computed_tokens", "rm_reused_tokens"};
        private final long[] counts = new long[COUNTS.length];
        private long lmParameters;
        private long rmParameters;
        private double flops;
        private double acceptanceSum;
        private int prompts;

        void add(JsonNode result) {
            JsonNode c = result.path("compute");
            for (int i = 0; i < COUNTS.length; i++) {
                counts[i] += c.path(COUNTS[i]).asLong();
            }
            lmParameters = c.path("lm_parameters").asLong();
            rmParameters = c.path("rm_parameters").asLong();
            flops += c.path("flops").asDouble();
            acceptanceSum += result.path("diagnostics").path("acceptance_rate").asDouble();
            prompts++;
        }

        void write(ObjectNode n) {
            for (int i = 0; i < COUNTS.length; i++) {
                n.put(COUNTS[i], counts[i]);
            }
            n.put("lm_parameters", lmParameters).put("rm_parameters", rmParameters).put("flops", flops);
        }
    }
}
