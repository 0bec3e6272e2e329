package io.github.qalign.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.qalign.examples.eval.EvalAggregate.Outcome;
import io.github.qalign.examples.eval.EvalAggregate.Row;
import io.github.qalign.examples.experiment.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Aggregation, Table 1 layout and CSV on hand-made outcomes whose results are computed by hand. */
class EvalAggregateTest {

    private static final Map<String, String> MODELS = Map.of("policy", "SFT", "baseline", "DPO");

    /** gsm8k: 4 items, MV budgets 1 and 2; math500: 2 items, MV budgets 1 and 2; BoN on gsm8k only. */
    private static List<Outcome> outcomes() {
        List<Outcome> o = new ArrayList<>();
        boolean[] gsm = {true, false, true, true};
        for (int i = 0; i < 4; i++) {
            o.add(new Outcome("gsm8k", "policy", Method.MV, 1, gsm[i], 10 * (i + 1), 0));
            o.add(new Outcome("gsm8k", "policy", Method.MV, 2, i != 1, 20 * (i + 1), 0));
            o.add(new Outcome("gsm8k", "policy", Method.BON, 2, i == 0, 20, 6));
        }
        o.add(new Outcome("math500", "policy", Method.MV, 1, true, 100, 0));
        o.add(new Outcome("math500", "policy", Method.MV, 1, false, 300, 0));
        o.add(new Outcome("math500", "policy", Method.MV, 2, true, 200, 0));
        o.add(new Outcome("math500", "policy", Method.MV, 2, false, 600, 0));
        o.add(new Outcome("math500", "baseline", Method.MV, 2, true, 50, 0));
        o.add(new Outcome("gsm8k", "baseline", Method.MV, 2, true, 50, 0));
        return o;
    }

    private static Row find(List<Row> rows, String d, String p, Method m, int b) {
        return rows.stream().filter(r -> r.dataset().equals(d) && r.policy().equals(p) && r.method() == m
                && r.budget() == b).findFirst().orElseThrow(() -> new AssertionError(d + p + m + b));
    }

    @Test
    void accuracyStandardErrorAndFlopsPerDatasetAndOnAverage() {
        List<Row> rows = EvalAggregate.rows(outcomes());
        Row g = find(rows, "gsm8k", "policy", Method.MV, 1);
        assertThat(g.items()).isEqualTo(4);
        assertThat(g.accuracy()).isEqualTo(0.75);
        assertThat(g.error()).isEqualTo(0.25);
        // sample sd of (1,0,1,1) = sqrt(0.25), over sqrt(4)
        assertThat(g.stdErr()).isCloseTo(Math.sqrt(0.75 * 0.25 / 3), within(1e-15));
        assertThat(g.lmFlops()).isEqualTo(25.0);
        assertThat(g.rmFlops()).isZero();
        Row bon = find(rows, "gsm8k", "policy", Method.BON, 2);
        assertThat(bon.flops()).isEqualTo(26.0);
        assertThat(bon.accuracy()).isEqualTo(0.25);
        Row m = find(rows, "math500", "policy", Method.MV, 1);
        assertThat(m.accuracy()).isEqualTo(0.5);
        assertThat(m.stdErr()).isCloseTo(0.5, within(1e-15));
        assertThat(m.lmFlops()).isEqualTo(200.0);
        Row avg = find(rows, EvalAggregate.AVERAGE, "policy", Method.MV, 1);
        assertThat(avg.accuracy()).isEqualTo(0.625);
        assertThat(avg.stdErr()).isCloseTo(Math.sqrt(0.75 * 0.25 / 3 + 0.25) / 2, within(1e-15));
        assertThat(avg.flops()).isEqualTo(112.5);
        assertThat(avg.items()).isEqualTo(6);
        // BoN ran on gsm8k only: no average for it
        assertThat(rows).noneMatch(r -> r.dataset().equals(EvalAggregate.AVERAGE) && r.method() == Method.BON);
        // one item: the standard error is undefined
        Row b = find(rows, "gsm8k", "baseline", Method.MV, 2);
        assertThat(b.stdErr()).isNaN();
        assertThat(find(rows, EvalAggregate.AVERAGE, "baseline", Method.MV, 2).stdErr()).isNaN();
    }

    @Test
    void rowsInTableOneOrder() {
        List<Row> rows = EvalAggregate.rows(outcomes());
        List<String> keys = rows.stream().map(r -> r.dataset() + "/" + r.policy() + "/" + r.method().cliName() + "/"
                + r.budget()).toList();
        assertThat(keys).containsExactly(
                "math500/policy/mv/1", "math500/policy/mv/2", "math500/baseline/mv/2",
                "gsm8k/policy/bon/2", "gsm8k/policy/mv/1", "gsm8k/policy/mv/2", "gsm8k/baseline/mv/2",
                "average/policy/mv/1", "average/policy/mv/2", "average/baseline/mv/2");
    }

    @Test
    void accuracyCsv() {
        String csv = EvalReport.accuracyCsv(EvalAggregate.rows(outcomes()), MODELS);
        String[] lines = csv.split("\n");
        assertThat(lines[0]).isEqualTo("dataset,policy,model,method,budget,items,accuracy,accuracy_se,error,"
                + "flops_per_item,lm_flops_per_item,rm_flops_per_item");
        assertThat(lines).hasSize(11);
        assertThat(lines[1]).isEqualTo("math500,policy,SFT,mv,1,2,0.5,0.5,0.5,200.0,200.0,0.0");
        assertThat(lines[4]).isEqualTo("gsm8k,policy,SFT,bon,2,4,0.25,0.25,0.75,26.0,20.0,6.0");
        assertThat(lines[7]).isEqualTo("gsm8k,baseline,DPO,mv,2,1,1.0,,0.0,50.0,50.0,0.0");
    }

    @Test
    void tableOneAtTheLargestBudget() {
        List<Row> rows = EvalAggregate.rows(outcomes());
        String md = EvalReport.tableMarkdown(rows, MODELS);
        String[] lines = md.split("\n");
        assertThat(lines[0]).isEqualTo("| Model | Method | Budget | MATH500 | GSM8K | Avg |");
        assertThat(lines[1]).isEqualTo("|---|---|---:|---:|---:|---:|");
        // SFT BoN only on GSM8K; MV at budget 2: math500 1/2, gsm8k 3/4 (se sqrt(.1875/3) = .25), avg 62.5
        assertThat(lines[2]).isEqualTo("| SFT | BoN | 2 | - | 25.0 ± 25.0 | - |");
        assertThat(lines[3]).isEqualTo("| SFT | MV | 2 | 50.0 ± 50.0 | 75.0 ± 25.0 | 62.5 ± 28.0 |");
        assertThat(lines[4]).isEqualTo("| DPO | MV | 2 | 100.0 ± n/a | 100.0 ± n/a | 100.0 ± n/a |");
        String csv = EvalReport.tableCsv(rows, MODELS);
        assertThat(csv.split("\n")).containsExactly(
                "model,policy,method,budget,math500,math500_se,gsm8k,gsm8k_se,average,average_se",
                "SFT,policy,bon,2,,,25.0,25.0,,",
                "SFT,policy,mv,2,50.0,50.0,75.0,25.0,62.5,28.0",
                "DPO,baseline,mv,2,100.0,n/a,100.0,n/a,100.0,n/a");
    }

    @Test
    void outcomesAreValidated() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new Outcome("gsm8k", "policy", Method.MV, 0, true, 1, 0))
                .hasMessageContaining("budget");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new Outcome("gsm8k", "policy", Method.MV, 1, true, Double.NaN, 0))
                .hasMessageContaining("FLOPs");
    }
}
