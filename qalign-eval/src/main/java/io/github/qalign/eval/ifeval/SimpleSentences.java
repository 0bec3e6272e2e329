package io.github.qalign.eval.ifeval;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rule-based sentence splitter of IFEval's {@code instructions_util.split_into_sentences} (used only by the
 * unregistered {@code keywords:key_sentences} checker): periods inside titles ({@code Mr.}), web addresses,
 * decimals, acronyms ({@code U.S.A.}), company suffixes ({@code Inc.}) and single initials do not end a sentence;
 * {@code . ? !} do, with a closing quote moved before the mark; a run of periods ends one.
 */
final class SimpleSentences {

    private static final String ALPHA = "([A-Za-z])";
    private static final String STARTERS = "(Mr|Mrs|Ms|Dr|Prof|Capt|Cpt|Lt|He\\s|She\\s|It\\s|They\\s|Their\\s|Our\\s"
            + "|We\\s|But\\s|However\\s|That\\s|This\\s|Wherever)";
    private static final String SUFFIXES = "(Inc|Ltd|Jr|Sr|Co)";
    private static final String PRD = "<prd>";
    private static final String STOP = "<stop>";

    private SimpleSentences() {
    }

    static List<String> split(String input) {
        String t = " " + input + "  ";
        t = t.replace("\n", " ");
        t = re("(Mr|St|Mrs|Ms|Dr)[.]", t, "$1" + PRD);
        t = re("[.](com|net|org|io|gov|edu|me)", t, PRD + "$1");
        t = re("([0-9])[.]([0-9])", t, "$1" + PRD + "$2");
        t = Pattern.compile("\\.{2,}").matcher(t).replaceAll(m -> PRD.repeat(m.group().length()) + STOP);
        t = t.replace("Ph.D.", "Ph" + PRD + "D" + PRD);
        t = re("\\s" + ALPHA + "[.] ", t, " $1" + PRD + " ");
        t = re("([A-Z][.][A-Z][.](?:[A-Z][.])?) " + STARTERS, t, "$1" + STOP + " $2");
        t = re(ALPHA + "[.]" + ALPHA + "[.]" + ALPHA + "[.]", t, "$1" + PRD + "$2" + PRD + "$3" + PRD);
        t = re(ALPHA + "[.]" + ALPHA + "[.]", t, "$1" + PRD + "$2" + PRD);
        t = re(" " + SUFFIXES + "[.] " + STARTERS, t, " $1" + STOP + " $2");
        t = re(" " + SUFFIXES + "[.]", t, " $1" + PRD);
        t = re(" " + ALPHA + "[.]", t, " $1" + PRD);
        t = t.replace(".\u201d", "\u201d.").replace(".\"", "\".").replace("!\"", "\"!").replace("?\"", "\"?");
        t = t.replace(".", "." + STOP).replace("?", "?" + STOP).replace("!", "!" + STOP).replace(PRD, ".");
        List<String> out = new ArrayList<>();
        for (String s : PyText.split(t, STOP)) {
            out.add(PyText.strip(s));
        }
        if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    private static String re(String regex, String text, String replacement) {
        return PyText.compile(regex, 0).matcher(text).replaceAll(replacement);
    }
}
