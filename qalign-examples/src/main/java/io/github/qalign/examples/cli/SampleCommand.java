package io.github.qalign.examples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.diagnostics.ChainDiagnostics;
import io.github.qalign.examples.experiment.Method;
import io.github.qalign.examples.experiment.Progress;
import io.github.qalign.examples.experiment.Selections;
import io.github.qalign.examples.io.JsonLines;
import io.github.qalign.examples.io.PromptsFile;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.sampler.ChainResult;
import io.github.qalign.sampler.ChainStep;
import io.github.qalign.sampler.IndependentResult;
import io.github.qalign.sampler.IndependentSampler;
import io.github.qalign.sampler.PromptResult;
import io.github.qalign.sampler.PromptSamples;
import io.github.qalign.sampler.QAlignListener;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code qalign sample}: run one method on some prompts, JSON lines out. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Run one method (qalign, bon, mv, wmv, mbr) on prompts; JSON lines out.",
        description = {"Run one method on prompts and write JSON lines: every sample (QAlign: every chain step with "
                + "its candidate, rewards, log acceptance ratio and decision), then per prompt the selected answer, "
                + "diagnostics and the compute used, then a summary.",
            "",
            "Methods: qalign = MCMC chain(s) targeting p_LM(y|x) exp(r/beta), answer by MBR (ROUGE-1) over the chain "
                + "states; bon = best-of-n; mv = majority vote over extracted answers; wmv = majority vote "
                + "weighted by softmax(r/beta); mbr = minimum Bayes risk (ROUGE-1) over independent samples."})
final class SampleCommand extends CommandSupport implements Callable<Integer> {

    @Option(names = "--prompt", paramLabel = "TEXT",
            description = "A prompt (repeat the option for several). Exclusive with --prompts.")
    List<String> prompt;

    @Option(names = "--prompts", paramLabel = "FILE.jsonl",
            description = "A JSON-lines file with one {\"prompt\": \"...\"} object per line. Exclusive with --prompt.")
    Path promptsFile;

    @Option(names = "--method", paramLabel = "METHOD", defaultValue = "qalign",
            description = "qalign, bon, mv, wmv or mbr (default: ${DEFAULT-VALUE}).")
    Method method;

    @Option(names = "--budget", paramLabel = "N", defaultValue = "16",
            description = "Samples per prompt: independent samples for bon/mv/wmv/mbr; chain states for qalign "
                    + "(each chain = 1 initial sample + budget/chains - 1 steps, each step re-samples a random "
                    + "suffix). Compute grows linearly with it (default: ${DEFAULT-VALUE}).")
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
            description = "Write the JSON lines to FILE instead of stdout.")
    Path output;

    @Mixin
    SamplingOptions samplingOptions;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() throws IOException {
        List<String> prompts = prompts();
        if (budget < 1) {
            throw new ParameterException(cl(), "--budget must be >= 1, got " + budget);
        }
        if (chains < 1) {
            throw new ParameterException(cl(), "--chains must be >= 1, got " + chains);
        }
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
        modelOptions.validate(cl());
        if (output != null && output.toAbsolutePath().getParent() != null
                && !Files.isDirectory(output.toAbsolutePath().getParent())) {
            throw new ParameterException(cl(), "--output: directory not found: " + output.toAbsolutePath()
                    .getParent());
        }
        try (LoadedModels models = load(modelOptions, sampling); PrintWriter w = writer()) {
            JsonLines jsonl = new JsonLines(w);
            long t0 = System.nanoTime();
            BetaChoice beta = (method == Method.QALIGN || method == Method.WMV)
                    ? beta(betaOptions, models, prompts, sampling, samplingOptions.seed) : null;
            List<Prompt> ps = prompts.stream().map(models.policy()::prompt).toList();
            Selections selections = new Selections(answer.extractor(), beta == null ? 1.0 : beta.beta());
            long seed = samplingOptions.seed; // per-prompt streams: a prompt's output depends on (seed, prompt)
            ComputeUsage total;
            Double acceptance = null;
            if (method == Method.QALIGN) {
                QAlignResult r = runQAlign(models, ps, sampling, beta.beta(), seed);
                total = r.usage(budget / chains - 1);
                acceptance = budget / chains > 1 ? r.acceptanceRate() : null;
                for (PromptResult pr : r.prompts()) {
                    writeChains(jsonl, pr);
                    List<ScoredSample> samples = pr.samples();
                    int idx = selections.select(method, samples);
                    ObjectNode res = result(jsonl, pr.promptIndex(), pr.prompt(), samples.get(idx), idx,
                            pr.usage(budget / chains - 1));
                    res.put("beta", beta.beta());
                    ObjectNode diag = res.putObject("diagnostics");
                    List<ChainDiagnostics> ds = pr.chains().stream().map(ChainDiagnostics::of).toList();
                    diag.put("acceptance_rate", ds.stream().mapToDouble(ChainDiagnostics::acceptanceRate)
                            .average().orElse(0));
                    diag.put("reward_ess", ds.stream().mapToDouble(ChainDiagnostics::rewardEss).sum());
                    diag.put("mean_relative_index", ds.stream()
                            .mapToDouble(ChainDiagnostics::meanRelativeIndex).average().orElse(0));
                    diag.put("mean_generated_tokens_per_step", ds.stream()
                            .mapToDouble(ChainDiagnostics::meanGeneratedTokens).average().orElse(0));
                    jsonl.write(res);
                }
            } else {
                IndependentSampler sampler = IndependentSampler.builder().languageModel(models.policy())
                        .rewardModel(models.reward()).samplesPerPrompt(budget).sampling(sampling).build();
                Progress p = progress();
                p.start("sampling", ps.size());
                IndependentResult r = sampler.run(ps, seed);
                p.step(ps.size());
                p.finish();
                total = r.usage();
                AnswerExtractor ex = answer.extractor();
                for (PromptSamples s : r.prompts()) {
                    List<ScoredSample> samples = s.samples();
                    for (int i = 0; i < samples.size(); i++) {
                        ObjectNode n = sample(jsonl, "sample", s.promptIndex(), samples.get(i));
                        n.put("sample", i);
                        jsonl.write(n);
                    }
                    int idx = selections.select(method, samples);
                    ObjectNode res = result(jsonl, s.promptIndex(), s.prompt(), samples.get(idx), idx, s.usage());
                    if (method == Method.MV || method == Method.WMV) {
                        res.put("answer", ex.extract(samples.get(idx).text()).orElse(null));
                    }
                    if (beta != null) {
                        res.put("beta", beta.beta());
                    }
                    jsonl.write(res);
                }
            }
            ObjectNode sum = jsonl.object().put("type", "summary").put("method", method.cliName())
                    .put("prompts", ps.size()).put("budget", budget).put("seed", samplingOptions.seed);
            if (beta != null) {
                sum.put("beta", beta.beta()).put("beta_source", beta.source());
            }
            if (acceptance != null) {
                sum.put("acceptance_rate", acceptance);
            }
            compute(sum.putObject("compute"), total);
            sum.put("seconds", (System.nanoTime() - t0) / 1e9);
            jsonl.write(sum);
        }
        return 0;
    }

    private List<String> prompts() {
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
            return List.copyOf(prompt);
        }
        if (!Files.exists(promptsFile)) {
            throw new ParameterException(cl(), "--prompts: file not found: " + promptsFile);
        }
        if (!Files.isRegularFile(promptsFile)) {
            throw new ParameterException(cl(), "--prompts: not a regular file: " + promptsFile);
        }
        try {
            return PromptsFile.read(promptsFile);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl(), "--prompts: " + e.getMessage());
        }
    }

    private PrintWriter writer() throws IOException {
        if (output == null) {
            return new PrintWriter(out()) {
                @Override
                public void close() {
                    flush();
                }
            };
        }
        try {
            return new PrintWriter(new OutputStreamWriter(Files.newOutputStream(output), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + output + ": " + e.getMessage(), e);
        }
    }

    private QAlignResult runQAlign(LoadedModels models, List<Prompt> ps, SamplingConfig sampling, double beta,
                                   long seed) {
        int steps = budget / chains - 1;
        Progress p = progress();
        p.start("QAlign steps", steps + 1L);
        QAlignSampler sampler = QAlignSampler.builder().languageModel(models.policy()).rewardModel(models.reward())
                .beta(beta).steps(steps).chainsPerPrompt(chains).sampling(sampling)
                .listener(new QAlignListener() {
                    @Override
                    public void onInit(InitEvent event) {
                        p.step(1);
                    }

                    @Override
                    public void onStep(StepEvent event) {
                        p.step(1);
                    }
                }).build();
        QAlignResult r = sampler.run(ps, seed);
        p.finish();
        return r;
    }

    private static void writeChains(JsonLines jsonl, PromptResult pr) {
        for (ChainResult c : pr.chains()) {
            ObjectNode init = sample(jsonl, "step", pr.promptIndex(), c.initial());
            init.put("chain", c.chainIndex()).put("step", 0).put("accepted", true);
            jsonl.write(init);
            for (ChainStep s : c.steps()) {
                ObjectNode n = jsonl.object().put("type", "step").put("prompt_index", pr.promptIndex())
                        .put("chain", c.chainIndex()).put("step", s.step()).put("index", s.index())
                        .put("current_length", s.currentLength()).put("current_reward", s.currentReward());
                ObjectNode cand = n.putObject("candidate");
                cand.put("text", s.candidate().text()).put("reward", s.candidate().reward())
                        .put("tokens", s.candidate().completion().length())
                        .put("finish", s.candidate().finishReason().name());
                n.put("log_alpha", s.logAlpha()).put("accepted", s.accepted())
                        .put("state_reward", s.state().reward());
                jsonl.write(n);
            }
        }
    }

    private static ObjectNode sample(JsonLines jsonl, String type, int promptIndex, ScoredSample s) {
        return jsonl.object().put("type", type).put("prompt_index", promptIndex).put("text", s.text())
                .put("reward", s.reward()).put("tokens", s.completion().length())
                .put("finish", s.finishReason().name());
    }

    private ObjectNode result(JsonLines jsonl, int promptIndex, Prompt prompt, ScoredSample chosen, int index,
                              ComputeUsage usage) {
        ObjectNode n = jsonl.object().put("type", "result").put("prompt_index", promptIndex)
                .put("prompt", prompt.text()).put("method", method.cliName()).put("budget", budget);
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
}
