package io.github.qalign.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Reads request fields with one clear 400 naming the field and what was expected. */
final class Fields {

    private Fields() {
    }

    static JsonNode get(ObjectNode body, String name) {
        JsonNode n = body.get(name);
        return n == null || n.isNull() ? null : n;
    }

    static int optInt(ObjectNode body, String prefix, String name, int def, int min, int max) {
        JsonNode n = get(body, name);
        if (n == null) {
            return def;
        }
        String p = prefix + name;
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw ApiException.invalidField(p, "expected an integer, got " + abbreviate(n));
        }
        int v = n.intValue();
        if (v < min || v > max) {
            throw ApiException.invalidField(p, "expected an integer in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }

    static double optDouble(ObjectNode body, String prefix, String name, double def, double min, double max) {
        JsonNode n = get(body, name);
        if (n == null) {
            return def;
        }
        String p = prefix + name;
        if (!n.isNumber()) {
            throw ApiException.invalidField(p, "expected a number, got " + abbreviate(n));
        }
        double v = n.doubleValue();
        if (!(v >= min && v <= max)) {
            throw ApiException.invalidField(p, "expected a number in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }

    static OptionalLong optLong(ObjectNode body, String prefix, String name) {
        JsonNode n = get(body, name);
        if (n == null) {
            return OptionalLong.empty();
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw ApiException.invalidField(prefix + name, "expected a 64-bit integer, got " + abbreviate(n));
        }
        return OptionalLong.of(n.longValue());
    }

    static boolean optBool(ObjectNode body, String prefix, String name, boolean def) {
        JsonNode n = get(body, name);
        if (n == null) {
            return def;
        }
        if (!n.isBoolean()) {
            throw ApiException.invalidField(prefix + name, "expected true or false, got " + abbreviate(n));
        }
        return n.booleanValue();
    }

    static String optString(ObjectNode body, String prefix, String name) {
        JsonNode n = get(body, name);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.invalidField(prefix + name, "expected a string, got " + abbreviate(n));
        }
        return n.textValue();
    }

    static ObjectNode optObject(ObjectNode body, String name) {
        JsonNode n = get(body, name);
        if (n == null) {
            return null;
        }
        if (!n.isObject()) {
            throw ApiException.invalidField(name, "expected an object, got " + abbreviate(n));
        }
        return (ObjectNode) n;
    }

    /** A list of token ids with each id in [0, vocab). */
    static int[] ids(JsonNode n, String param, int vocab) {
        if (n == null || !n.isArray()) {
            throw ApiException.invalidField(param, "expected a list of token ids, got " + abbreviate(n));
        }
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = n.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                throw ApiException.invalidField(param + "[" + i + "]", "expected a token id, got " + abbreviate(e));
            }
            int id = e.intValue();
            if (id < 0 || id >= vocab) {
                throw ApiException.invalidField(param + "[" + i + "]", "token id " + id + " outside the vocabulary [0, "
                        + vocab + ")");
            }
            out[i] = id;
        }
        return out;
    }

    /** Optional list of ints (e.g. stop_token_ids). */
    static List<Integer> optIntList(ObjectNode body, String name) {
        JsonNode n = get(body, name);
        if (n == null) {
            return List.of();
        }
        int[] ids = ids(n, name, Integer.MAX_VALUE);
        List<Integer> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(id);
        }
        return out;
    }

    static String abbreviate(JsonNode n) {
        if (n == null) {
            return "nothing";
        }
        String s = n.toString();
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
