package io.github.qalign.examples.task;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A fixed set of TinyStories-style story openings, generated deterministically from four sentence templates over
 * small word lists, shuffled with a fixed seed and split into disjoint parts: the first {@value #EVAL_SIZE} are
 * {@link PromptSplit#EVAL}, the next {@value #HELD_OUT_SIZE} {@link PromptSplit#HELD_OUT}, the next
 * {@value #TRAIN_SIZE} {@link PromptSplit#TRAIN}. No opening contains a word of {@link CheerfulStoryRule}'s lists.
 */
public final class StoryPrompts {

    /** Number of eval prompts. */
    public static final int EVAL_SIZE = 64;
    /** Number of held-out prompts. */
    public static final int HELD_OUT_SIZE = 128;
    /** Number of train prompts. */
    public static final int TRAIN_SIZE = 512;
    /** The shuffle seed; changing it changes every split. */
    public static final long SEED = 20240527L;

    private static final List<String> NAMES = List.of("Lily", "Tom", "Sue", "Ben", "Mia", "Max", "Anna", "Tim",
            "Lucy", "Sam", "Emma", "Jack", "Zoe", "Leo", "Amy", "Bob", "Kate", "Joe", "Ella", "Dan");
    private static final List<String> ADJECTIVES = List.of("little", "curious", "small", "brave", "kind", "tiny");
    private static final List<String> CHARACTERS = List.of("girl", "boy", "bird", "bunny", "bear", "frog", "duck",
            "fox");
    private static final List<String> PLACES = List.of("park", "beach", "forest", "garden", "store", "farm", "lake",
            "zoo", "river", "hill");
    private static final List<String> OBJECTS = List.of("ball", "kite", "box", "hat", "toy car", "red balloon",
            "book", "boat", "blue cup", "drum");
    private static final List<String> OBJECT_ADJECTIVES = List.of("big", "new", "shiny", "old");

    private static final List<String> ALL = build();

    private StoryPrompts() {
    }

    /** Every opening in split order: eval, then held-out, then train. */
    public static List<String> all() {
        return ALL;
    }

    /** The openings of one split. */
    public static List<String> split(PromptSplit split) {
        Objects.requireNonNull(split, "split");
        return switch (split) {
            case EVAL -> ALL.subList(0, EVAL_SIZE);
            case HELD_OUT -> ALL.subList(EVAL_SIZE, EVAL_SIZE + HELD_OUT_SIZE);
            case TRAIN -> ALL.subList(EVAL_SIZE + HELD_OUT_SIZE, EVAL_SIZE + HELD_OUT_SIZE + TRAIN_SIZE);
        };
    }

    /** The first {@code n} openings of a split. */
    public static List<String> split(PromptSplit split, int n) {
        List<String> s = split(split);
        if (n < 1 || n > s.size()) {
            throw new IllegalArgumentException("prompt count must be in [1, " + s.size() + "] for split " + split
                    + ", got " + n);
        }
        return s.subList(0, n);
    }

    private static List<String> build() {
        LinkedHashSet<String> set = new LinkedHashSet<>();
        for (String n : NAMES) {
            for (String a : ADJECTIVES) {
                for (String c : CHARACTERS) {
                    set.add("Once upon a time, there was a " + a + " " + c + " named " + n + ".");
                }
            }
            for (String p : PLACES) {
                set.add("One day, " + n + " went to the " + p + ".");
            }
            for (String a : OBJECT_ADJECTIVES) {
                for (String o : OBJECTS) {
                    set.add(n + " had a " + a + " " + o + ".");
                }
            }
        }
        for (int i = 0; i < NAMES.size(); i += 2) {
            for (String p : PLACES) {
                set.add(NAMES.get(i) + " and " + NAMES.get(i + 1) + " were playing at the " + p + ".");
            }
        }
        List<String> list = new ArrayList<>(set);
        SplittableRandom rng = new SplittableRandom(SEED);
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            String t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
        int needed = EVAL_SIZE + HELD_OUT_SIZE + TRAIN_SIZE;
        if (list.size() < needed) {
            throw new IllegalStateException("only " + list.size() + " openings, need " + needed);
        }
        return List.copyOf(list.subList(0, needed));
    }
}
