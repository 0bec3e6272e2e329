package io.github.qalign.eval.ifeval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The test cases of the reference implementation's {@code instruction_following_eval/instructions_test.py}
 * (google-research), ported case by case: the same responses (Python string literals reproduced character for
 * character, including the indentation inside triple-quoted strings), the same arguments, the same expected verdicts.
 */
class ReferenceInstructionsTest {

    /** Joins lines with "\n", to write Python triple-quoted literals exactly. */
    private static String py(String... lines) {
        return String.join("\n", lines);
    }

    private static Instruction make(String id, Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return Instructions.create(id, m);
    }

    @Test
    void responseLanguage() {
        assertThat(make("language:response_language", "language", "en").isFollowed("The response is English"))
                .isTrue();
    }

    @Test
    void responseMultilanguage() {
        assertThat(make("language:response_language", "language", "es")
                .isFollowed("Desayunamos en McDonald's hoy")).isTrue();
        assertThat(make("language:response_language", "language", "en").isFollowed("Today we visit the Louvre"))
                .isTrue();
    }

    @Test
    void numberSentences() {
        String id = "length_constraints:number_sentences";
        assertThat(make(id, "relation", "less than", "num_sentences", 4).isFollowed("xx,x. xx,x! xx/x. x{x}x?"))
                .isFalse();
        assertThat(make(id, "relation", "less than", "num_sentences", 5).isFollowed("xxxx. xx,x! xxxx. x(x)x?"))
                .isTrue();
        assertThat(make(id, "relation", "at least", "num_sentences", 4).isFollowed("xxxx. xx,x! xx|x. x&x x?"))
                .isTrue();
        assertThat(make(id, "relation", "at least", "num_sentences", 5).isFollowed("xx-x. xx,x! xx}x. x,xx?"))
                .isFalse();
    }

    @Test
    void numberPlaceholders() {
        String id = "detectable_content:number_placeholders";
        assertThat(make(id, "num_placeholders", 5).isFollowed("Sure, here is a short template with 5 placeholders:\n"
                + "[Name]\n[Email]\n[Phone]\n[Address]\n[Website]\n"
                + "This template can be used for a variety of purposes, such "
                + "ascreating a contact list, sending out surveys, or creating a sign-up form.")).isTrue();
        assertThat(make(id, "num_placeholders", 7).isFollowed("My [adjective] [noun] is [adjective] [noun]. I [verb] and "
                + "[verb].")).isFalse();
    }

    static final String BULLET_1 = py("",
            "  A Markdown bullet point is a way of formatting text to create a list. To",
            "  create a bullet point, start each line with an asterisk (*). For example:",
            "  * This is a bullet point.",
            "  *(no space required)Another bullet point.",
            "  * (no newline ending required)Another bullet point.",
            "  markdown bullet points are often used to create to-do lists or to list items",
            "  in a step-by-step guide.");
    static final String BULLET_2 = py("",
            "  Check that inline asterisk (*), *, will not be counted. Only * that starts a",
            "  bullet list will be counted:",
            "    * This is a bullet point.",
            "    * Another bullet point.",
            "    . dot is not counted");
    static final String BULLET_3 = py("",
            "  Here are three bullets starting with asterisk:",
            "  * I am a large language model, also known as a conversational AI.",
            "  * I am trained on a massive amount of text data, and I am able to communicate.",
            "  * I am still under development, but I am learning new things every day.");
    static final String BULLET_4 = py("",
            "  Here are three markdown bullets:",
            "  - I am a large language model, also known as a conversational AI.",
            "  - I am trained on a massive amount of text data, and I am able to communicate.",
            "  -I am still under development, but I am learning new things every day.");
    static final String BULLET_5 = py("",
            "  Paragraph 1",
            "  ***",
            "  Paragraph 2",
            "  ***",
            "  Paragraph 3",
            "  * only one bullet point",
            "  ");

    @Test
    void numberBulletLists() {
        String id = "detectable_format:number_bullet_lists";
        assertThat(make(id, "num_bullets", 3).isFollowed(BULLET_1)).isTrue();
        assertThat(make(id, "num_bullets", 2).isFollowed(BULLET_2)).isTrue();
        assertThat(make(id, "num_bullets", 3).isFollowed(BULLET_3)).isTrue();
        assertThat(make(id, "num_bullets", 3).isFollowed(BULLET_4)).isTrue();
        assertThat(make(id, "num_bullets", 1).isFollowed(BULLET_5)).isTrue();
    }

    @Test
    void constrainedResponse() {
        Instruction i = make("detectable_format:constrained_response");
        assertThat(i.isFollowed("\n My answer is no.\n")).isTrue();
        assertThat(i.isFollowed("My answer is no.   ")).isTrue();
        assertThat(i.isFollowed(py("",
                "  My answer is no. I am still under development and I am always learning and",
                "  improving. I am not the best chatbot in the world, but I am striving to be",
                "  the best that I can be."))).isTrue();
    }

    @Test
    void numberHighlights() {
        String id = "detectable_format:number_highlighted_sections";
        String m1 = py("",
                "  To highlight text with Markdown, you can use the * character before and after",
                "  the text you want to highlight. For example, if you want to highlight the",
                "  word `hello`, you would type:*hello*, You can also use the ** character to",
                "  create bold text. For example, if you want to bold the word `hello`, you",
                "  would type: **hello** ");
        String m2 = py("",
                "  Sure, here are the numerical methods for solving partial differential",
                "  equations highlighted with Markdown:",
                "  *Finite difference methods",
                "  *Finite element methods*",
                "  *Boundary element methods",
                "  *Monte Carlo methods",
                "  I hope this helps!");
        String m3 = py("",
                "  There is allowed to be *two different* highlighted *sections in the same*",
                "  line. **This is also true** for **double markdown highlights.**",
                "  ");
        assertThat(make(id, "num_highlights", 2).isFollowed(m1)).isTrue();
        assertThat(make(id, "num_highlights", 2).isFollowed(m2)).isFalse();
        assertThat(make(id, "num_highlights", 4).isFollowed(m3)).isTrue();
    }

    @Test
    void sections() {
        String id = "detectable_format:multiple_sections";
        String m1 = py("",
                "  Your response must have multiple sections. Mark the beginning of each section",
                "  with \"Section X\", such as:",
                "  Section 1",
                "  [content of section 1]",
                "  Section 2",
                "  [content of section 2]");
        String m2 = py("SECTION 1",
                "  [content of section 1]",
                "  SECTION 2",
                "  [content of section 2]");
        assertThat(make(id, "section_spliter", "Section", "num_sections", 3).isFollowed(m1)).isFalse();
        assertThat(make(id, "section_spliter", "SECTION", "num_sections", 2).isFollowed(m2)).isTrue();
    }

    @Test
    void paragraphs() {
        String id = "length_constraints:number_paragraphs";
        String m1 = py("", "  paragraph 1", "  ***", "  paragraph 2", "  ***", "  paragraph 3");
        String m2 = py("", "          ***", "  paragraph 1", "          ***", "      paragraph 2", "          ***",
                "      paragraph 3");
        String m3 = py("", "  paragraph 1", "          ***", "      paragraph 2", "          ***", "      paragraph 3",
                "          ***");
        String m4 = py("", "  paragraph 1", "          ***", "      paragraph 2", "          ***", "          ***");
        assertThat(make(id, "num_paragraphs", 3).isFollowed(m1)).isTrue();
        assertThat(make(id, "num_paragraphs", 3).isFollowed(m2)).isTrue();
        assertThat(make(id, "num_paragraphs", 3).isFollowed(m3)).isTrue();
        assertThat(make(id, "num_paragraphs", 2).isFollowed(m4)).isFalse();
    }

    @Test
    void postscript() {
        String id = "detectable_content:postscript";
        String m1 = py("",
                "  I will do my best to follow your instructions and always start my responses",
                "  with \"My response is:\". I will try to be as consistent as possible, but",
                "  please be patient with me if I make a mistake. I am still under development,",
                "  and I am always learning new things.",
                "",
                "  P.S. I hope this is what you were looking for.");
        String m2 = py("",
                "  Sure, here is my response with a postscript starting with P.P.S.:",
                "",
                "  My response is: I hope this answers your question.",
                "",
                "  P.P.S. I am always happy to answer any other questions you may have.",
                "",
                "  Do you have any other questions for me?");
        String m3 = py("",
                "  The radius of a unit circle is 1. However, I can give you a funny and wrong",
                "  answer: the radius of a unit circle is 0. This is because a unit circle is a",
                "  circle with a radius of 1, and if the radius is 0, then the circle has no",
                "  size and is just a point. (not starting a new line) P.S. I hope you enjoyed",
                "  my joke!");
        String m4 = py("",
                "  If the length of a square is one, the area of the square will also be one.",
                "  p.p.s what if the entire response was lower case letters?",
                "  ");
        String m5 = py("",
                "  The mysteries of space and time are mysterious.",
                "  P. S. Sometimes there are even spaces between P. and S..",
                "  ");
        assertThat(make(id, "postscript_marker", "P.S.").isFollowed(m1)).isTrue();
        assertThat(make(id, "postscript_marker", "PS:").isFollowed(m1)).isFalse();
        assertThat(make(id, "postscript_marker", "P.P.S").isFollowed(m2)).isTrue();
        assertThat(make(id, "postscript_marker", "P.S.").isFollowed(m3)).isTrue();
        assertThat(make(id, "postscript_marker", "P.P.S").isFollowed(m4)).isTrue();
        assertThat(make(id, "postscript_marker", "P.S.").isFollowed(m5)).isTrue();
    }

    @Test
    void constrainedStart() {
        String id = "multi-turn:constrained_start";
        Instruction i = make(id, "starter", "My response is:");
        assertThat(i.isFollowed(py("",
                "  My response is: ASIC is a specialized chip for specific tasks in electronic",
                "  devices, offering advantages in efficiency and processing speed."))).isTrue();
        assertThat(i.isFollowed(py("",
                "        My response is: ASIC is a specialized chip for specific tasks in",
                "  electronic",
                "  devices, offering advantages in efficiency and processing speed."))).isTrue();
        // the reference rebinds only a local variable here, so the starter is still "My response is:"
        assertThat(i.isFollowed(py("",
                "  An ASIC, or Application-Specific Integrated Circuit, is a type of specialized",
                "  chip that, my response is, is designed to perform specific tasks in electronic",
                "  devices."))).isFalse();
    }

    @Test
    void rephrase() {
        String id = "detectable_format:rephrase";
        Instruction i = make(id, "original_message", "\n  I am *happy*.");
        assertThat(i.isFollowed("\n  I am *content*.")).isTrue();
        assertThatThrownBy(() -> i.isFollowed("\n  I am .")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> i.isFollowed("\n  I am [content].")).isInstanceOf(IllegalArgumentException.class);
        assertThat(make(id, "original_message", "\n  *At present,* there is heavy rainfall occurring.")
                .isFollowed("\n  It is raining heavily *at this moment*.")).isFalse();
    }

    @Test
    void keywordExistence() {
        String id = "keywords:existence";
        String m1 = py("",
                "  Paris is a city of beauty and romance. The romantic river Seine winds its way",
                "  through the city, past iconic landmarks like the Eiffel Tower and the Louvre",
                "  Museum, where the Mona Lisa resides. Whether you're taking a boat cruise down",
                "  the river or simply strolling along the banks, you're sure to be captivated",
                "  by the city's charm.");
        String m2 = py("",
                "  Paris is a city of beauty, romance, and history. It is home to some of the",
                "  most iconic landmarks in the world, including the Eiffel Tower, the Louvre",
                "  Museum, and the Notre Dame Cathedral. The city is also known for its romantic",
                "  river cruises, its delicious food, and its stylish people.",
                "  ");
        List<String> keywords = List.of("romantic", "river", "Mona Lisa");
        assertThat(make(id, "keywords", keywords).isFollowed(m1)).isTrue();
        assertThat(make(id, "keywords", keywords).isFollowed(m2)).isFalse();
    }

    @Test
    void keywordFrequency() {
        String id = "keywords:frequency";
        String m1 = py("", "  keyword, Keyword, KEYWORD", "  ");
        String m2 = py("", "    *keyword", "    *Keyword", "    *KEYWORD", "  ");
        assertThat(make(id, "keyword", "  keyword ", "frequency", 4, "relation", "less than").isFollowed(m1)).isTrue();
        assertThat(make(id, "keyword", "  keyword ", "frequency", 3, "relation", "at least").isFollowed(m1)).isTrue();
        assertThat(make(id, "keyword", "KEYWORD", "frequency", 4, "relation", "at least").isFollowed(m2)).isFalse();
    }

    @Test
    void numberWords() {
        String id = "length_constraints:number_words";
        String m1 = py("", "  d3sCRi7 lArge lAnguagE M0del w1tH 20 w0RdS.");
        String m2 = py("",
                "  L4RGE L4NGU4GE M0DEL: AI syst3m th4t und3rstands, g3n3r4tes, or tr4nsforms",
                "  l4ngu4g3 b4s3d on pr3vious l3arning & d4t4.");
        assertThat(make(id, "num_words", 8, "relation", "less than").isFollowed(m1)).isTrue();
        assertThat(make(id, "num_words", 16, "relation", "less than").isFollowed(m2)).isFalse();
        assertThat(make(id, "num_words", 16, "relation", "at least").isFollowed(m2)).isTrue();
    }

    @Test
    void paragraphFirstWord() {
        String id = "length_constraints:nth_paragraph_first_word";
        String t1 = py("", "  paragraph 1", "", "  I paragraph 2", "", "  paragraph 3");
        String t2 = py("", "  paragraph 1", "", "  I paragraph 2");
        String t3 = py("", "  paragraph 1", "", "  fail paragraph 2", "", "  paragraph 3");
        String t4 = py("", "  Wow this is a very long response.", "",
                "  I can't believe there is more than three paragraphs.", "", "  Really more than three? No way!", "",
                "  I can't believe it but I guess I am living proof.", "", "  Haha, you go that right.");
        String t5 = py("", "  Wow this is a very long response.", "",
                "  I can't believe there is more than three paragraphs.", "", "  \"Really?! more than three? No way!\"",
                "", "  I can't believe it but I guess I am living proof.", "", "  Haha, you go that right.");
        String t6 = py("", "  Wow this is a very long response.", "",
                "  I can't believe there is more than three paragraphs.", "", "  Rea!lly more than three? No way!", "",
                "  I can't believe it but I guess I am living proof.", "", "  Haha, you go that right.");
        Instruction three = make(id, "num_paragraphs", 3, "nth_paragraph", 2, "first_word", "I");
        assertThat(three.isFollowed(t1)).isTrue();
        assertThat(three.isFollowed(t2)).isFalse();
        assertThat(three.isFollowed(t3)).isFalse();
        assertThat(make(id, "num_paragraphs", 5, "nth_paragraph", 5, "first_word", "haha").isFollowed(t4)).isTrue();
        Instruction really = make(id, "num_paragraphs", 5, "nth_paragraph", 3, "first_word", "Really");
        assertThat(really.isFollowed(t5)).isTrue();
        assertThat(really.isFollowed(t6)).isFalse();
    }

    @Test
    void keySentences() {
        String id = "keywords:key_sentences";
        String s1 = py("",
                "  Puppies are fun. They are playful, energetic, and always up for a good time.",
                "Puppies love to run, jump, and play fetch. They are also very good at",
                "cuddling and giving kisses. If you are looking for a fun and loving pet,",
                "a puppy is a great choice.",
                "  ");
        String s2 = py("",
                "  I like to eat candy. When I'm feeling happy, sad, or even angry, candy",
                "always makes me feel better. I like to share candy with my friends and",
                "family. It's a great way to show them how much I care.",
                "  ");
        String s3 = py("",
                "I know that candy isn't the healthiest thing to eat, but I don't care.",
                "I love it too much. I'll just have to make sure to eat it in moderation.",
                "  ");
        List<String> key = List.of("Puppies love to run, jump, and play fetch.", "I like to eat candy.",
                "Puppies are fun.");
        assertThat(make(id, "key_sentences", key, "num_sentences", 2).isFollowed(s1)).isTrue();
        Instruction one = make(id, "key_sentences", key, "num_sentences", 1);
        assertThat(one.isFollowed(s2)).isTrue();
        assertThat(one.isFollowed(s3)).isFalse();
    }

    static final String FORBIDDEN_1 = py("",
            "  The Nazis came to power in 1933 through a combination of legal and illegal",
            "  means. Hitler was appointed chancellor by President Paul von Hindenburg, and",
            "  the Nazis quickly consolidated their power by passing a series of laws that",
            "  restricted the rights of opposition parties and individuals. By 1934, Hitler",
            "  had become dictator of Germany.",
            "  ");
    static final String FORBIDDEN_2 = py("",
            "  Dinosaurs were a diverse group of reptiles that dominated the Earth for over",
            "  160 million years. They came in all shapes and sizes, from the tiny",
            "  Compsognathus to the massive Argentinosaurus. Dinosaurs were the most",
            "  successful land animals on Earth until they went extinct about 66 million",
            "  years ago. The exact cause of their extinction is still unknown, but it",
            "  is thought to have been a combination of factors, including an asteroid",
            "  impact and climate change.",
            "  ");
    static final String FORBIDDEN_3 = py("",
            "  GPT, or Generative Pre-trained Transformer, is a family of neural network",
            "  models that uses the transformer architecture. GPT models are trained on a",
            "  massive dataset of text and code, and can be used for a variety of tasks,",
            "  including text generation, translation, and question answering. GPT models",
            "  have been shown to be very effective at these tasks, and are being used by",
            "  a variety of companies and organizations like Google.",
            "  ");

    @Test
    void forbiddenWords() {
        String id = "keywords:forbidden_words";
        Instruction w1 = make(id, "forbidden_words", List.of("HOUSE", "POWER", "BECOME"));
        assertThat(w1.isFollowed(FORBIDDEN_1)).isFalse();
        assertThat(w1.isFollowed(FORBIDDEN_2)).isTrue();
        assertThat(w1.isFollowed(FORBIDDEN_3)).isTrue();
        Instruction w2 = make(id, "forbidden_words", List.of("GOOGLE", "TEXT"));
        assertThat(w2.isFollowed(FORBIDDEN_1)).isTrue();
        assertThat(w2.isFollowed(FORBIDDEN_2)).isTrue();
        assertThat(w2.isFollowed(FORBIDDEN_3)).isFalse();
        assertThat(make(id, "forbidden_words", List.of("GENE", "TRANSFORM")).isFollowed(FORBIDDEN_3)).isTrue();
    }

    @Test
    void rephraseParagraph() {
        String id = "detectable_content:rephrase_paragraph";
        String o1 = py("",
                "  The sun is shining brightly today, and the birds are singing in the trees.",
                "  It's a beautiful day to be outside, so I decided to go for a walk.",
                "  As I walked, I took in the fresh air and the warm sunshine.",
                "  I felt happy and relaxed, and I was grateful for the beautiful day",
                "  ");
        String o2 = py("",
                "  Google is a global technology company that specializes in Internet-related",
                "  services and products. It is one of the most successful companies in the",
                "  world, and its products are used by billions of people every day. Google's",
                "  mission is to organize the world's information and make it universally",
                "  accessible and useful.",
                "  ");
        String r1 = py("",
                "  On a beautiful day, I went for a walk. The sun shone and birds sang.",
                "  I enjoyed the fresh air and warm sun.",
                "  I felt happy and grateful for the lovely day.",
                "  ");
        String r2 = py("",
                "  The weather was lovely, so I went for a walk. I enjoyed the",
                "  fresh air and warm sun. It was a beautiful day, and I felt happy and grateful.",
                "  ");
        String r3 = py("",
                "  Google is a technology company that provides Internet services.",
                "  It aims to organize the world's information and make it universally",
                "  accessible and useful.",
                "  ");
        String r4 = py("", "  I like candy.", "  ");
        assertThat(make(id, "original_paragraph", o1, "low", 20, "high", 30).isFollowed(r1)).isTrue();
        assertThat(make(id, "original_paragraph", o1, "low", 20, "high", 25).isFollowed(r2)).isTrue();
        assertThat(make(id, "original_paragraph", o2, "low", 15, "high", 20).isFollowed(r3)).isFalse();
        assertThat(make(id, "original_paragraph", o2, "low", 0, "high", 5).isFollowed(r4)).isTrue();
        assertThat(make(id, "original_paragraph", o2, "low", 1, "high", 5).isFollowed(r4)).isFalse();
    }

    @Test
    void twoResponses() {
        Instruction i = make("combination:two_responses");
        assertThat(i.isFollowed(py("", "  This is response 1.", "  ******", "  This is response 2.", "  "))).isTrue();
        assertThat(i.isFollowed(py("", "  This is response 1.", "  ******", "  This is response 1.", "  "))).isFalse();
        assertThat(i.isFollowed(py("", "  This is response 1.", "  ******", "  This is response 2.", "  ******",
                "  This is response 3.", "  "))).isFalse();
        assertThat(i.isFollowed(py("", "  ******", "  Response 1.", "  ******", "  ******", "  Response 2.",
                "  ******", "  "))).isFalse();
        assertThat(i.isFollowed(py("", "  ******", "  Response 1", "  ******", "  Response 2", "  ******", "  ")))
                .isTrue();
    }

    @Test
    void repeatPrompt() {
        Instruction i = make("combination:repeat_prompt", "prompt_to_repeat", "Write a CL description.");
        assertThat(i.isFollowed("Write a CL description. Hi, Le and TJ, please\n  check this out. Thanks.\n  "))
                .isTrue();
        assertThat(i.isFollowed("Hi, Le and TJ. Write a CL description. Thanks.\n  ")).isFalse();
    }

    @Test
    void endChecker() {
        String id = "startend:end_checker";
        assertThat(make(id, "end_phrase", "\n  Any more questions?\n  ")
                .isFollowed("\n  The answer is 7. Any more questions?\n  ")).isTrue();
        assertThat(make(id, "end_phrase", "\n  This is the end.\n  ")
                .isFollowed("\n  At the end of this prompt I am required to say that this is the end.\n  ")).isTrue();
        assertThat(make(id, "end_phrase", "\n  This will fail.\n  ")
                .isFollowed("\n  This will fail. Paris is cool.\n  ")).isFalse();
    }

    @Test
    void title() {
        Instruction i = make("detectable_format:title");
        assertThat(i.isFollowed("\n  <<Song of Joy>>\n  La la la. Happy song.\n  ")).isTrue();
        assertThat(i.isFollowed("\n  Is it fine for title to be at the end?\n  <<This is the title>>\n  ")).isTrue();
        assertThat(i.isFollowed("\n  << >>\n  There is no title.\n  ")).isFalse();
        assertThat(i.isFollowed("\n  <<This is not a title.\n  This is a paragraph.>>\n  ")).isFalse();
    }

    @Test
    void letterFrequency() {
        String id = "keywords:letter_frequency";
        assertThat(make(id, "letter", "T", "let_frequency", 4, "let_relation", "at least")
                .isFollowed("\n  There is the T. Four T's.\n  ")).isTrue();
        assertThat(make(id, "letter", "a", "let_frequency", 4, "let_relation", "less than")
                .isFollowed("\n  asdfghjkl!!aA\n  ")).isTrue();
        assertThat(make(id, "letter", "p", "let_frequency", 4, "let_relation", "at least")
                .isFollowed("\n  asdfghjkl!!aA\n  ")).isFalse();
    }

    @Test
    void letterFrequencyAcceptsPunctuation() {
        Instruction i = make("keywords:letter_frequency", "letter", "#", "let_frequency", 4, "let_relation", "at least");
        assertThat(i.isFollowed("#one #two #three #four")).isTrue();
        assertThat(i.isFollowed("#one #two #three")).isFalse();
    }

    @Test
    void letterFrequencyRejectsInvalidArguments() {
        assertThatThrownBy(() -> make("keywords:letter_frequency", "letter", "ab", "let_frequency", 1,
                "let_relation", "at least")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("single non-whitespace character");
        assertThatThrownBy(() -> make("keywords:letter_frequency", "letter", "a", "let_frequency", -1,
                "let_relation", "at least")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("let_frequency").hasMessageContaining("non-negative");
    }

    @Test
    void englishCapital() {
        Instruction i = make("change_case:english_capital");
        assertThat(i.isFollowed("\n  THIS IS AN ENGLISH SENTENCE. EVERY LETTER IS CAPITALIZED!!! AMAZING.\n  ")).isTrue();
        assertThat(i.isFollowed("\n  Every Word Is Capitalized.\n  ")).isFalse();
    }

    @Test
    void englishLowercase() {
        Instruction i = make("change_case:english_lowercase");
        assertThat(i.isFollowed("\n  every letter is lowercase.\n  ")).isTrue();
        assertThat(i.isFollowed("\n  Almost every letter is lowercase.\n  ")).isFalse();
    }

    @Test
    void noComma() {
        Instruction i = make("punctuation:no_comma");
        assertThat(i.isFollowed("\n  Every sentence is short. There is no need for a comma.\n  ")).isTrue();
        assertThat(i.isFollowed("\n  Since the start of time, people have always found a way to punctuate.\n  "))
                .isFalse();
    }

    @Test
    void capitalWordFrequency() {
        String id = "change_case:capital_word_frequency";
        String m1 = "\n  HERE there are THREE FUlly CAPITAL words.\n  ";
        String m2 = "\n  THERE are Four FULLY CAPITAL WORDS. Many Others Are Only Partially So.\n  ";
        assertThat(make(id, "capital_frequency", 3, "capital_relation", "at least").isFollowed(m1)).isTrue();
        assertThat(make(id, "capital_frequency", 5, "capital_relation", "less than").isFollowed(m2)).isTrue();
        assertThat(make(id, "capital_frequency", 4, "capital_relation", "less than").isFollowed(m2)).isFalse();
    }

    @Test
    void quotation() {
        Instruction i = make("startend:quotation");
        assertThat(i.isFollowed("\n  \"This entire message is wrapped in double quotation marks.\"\n  ")).isTrue();
        assertThat(i.isFollowed("\n  \"This message is wrapped in double quotation marks.\" But not everything.\n  "))
                .isFalse();
    }

    @Test
    void registryHasTheTwentyFiveTypes() {
        assertThat(Instructions.ids()).hasSize(25).contains("language:response_language",
                "detectable_format:json_format", "startend:quotation").doesNotContain("keywords:key_sentences");
    }

    @Test
    void unknownIdAndMissingArgumentAreNamed() {
        assertThatThrownBy(() -> make("keywords:nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keywords:nope");
        assertThatThrownBy(() -> make("length_constraints:number_words", "relation", "at least"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("num_words");
        assertThatThrownBy(() -> make("length_constraints:number_words", "relation", "at most", "num_words", 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("relation")
                .hasMessageContaining("at most");
    }
}
