package io.github.qalign.tokenizer;

import com.hubspot.jinjava.el.TypeConvertingMapELResolver;
import com.hubspot.jinjava.el.ext.JinjavaBeanELResolver;
import com.hubspot.jinjava.el.ext.JinjavaListELResolver;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.objects.Namespace;
import com.hubspot.jinjava.objects.SafeString;
import com.hubspot.jinjava.util.ForLoop;
import jinjava.javax.el.ArrayELResolver;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;
import jinjava.javax.el.MethodNotFoundException;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a template expression may touch: strings (through {@link PyStringMethods}), lists, maps and the loop object
 * (and the engine's own filter and test objects, through which it applies {@code |filter} and {@code is test}) —
 * nothing else. Jinjava's default resolver reaches any public getter or method of any Java object a template can
 * name, which is how CVE-2025-59340 read and deleted files through the engine's own configuration; this resolver
 * refuses property access and method calls on every other class, whatever Jinjava's own blocklist says.
 */
final class TemplateSandbox {

    private static final Set<String> MAP_METHODS = Set.of("items", "keys", "values", "get");
    private static final Set<String> LIST_METHODS = Set.of("count", "index");
    private static final Set<String> LOOP_METHODS = Set.of("cycle");
    /** Jinjava applies filters and tests by calling these methods on the filter/test objects it looks up. */
    private static final Set<String> FILTER_METHODS = Set.of("filter");
    private static final Set<String> TEST_METHODS = Set.of("evaluate", "evaluateNegated");

    private TemplateSandbox() {
    }

    /**
     * The resolver chain for untrusted templates: read-only arrays, lists and maps, Python string methods, and bean
     * access limited to the loop object.
     *
     * @param maxStringLength longest string a string method may build
     * @return the resolver
     */
    static ELResolver resolver(long maxStringLength) {
        CompositeELResolver r = new CompositeELResolver();
        r.add(new PyStringMethods(maxStringLength));
        r.add(new ArrayELResolver(true));
        r.add(new JinjavaListELResolver(true));
        r.add(new TypeConvertingMapELResolver(true));
        r.add(new RestrictedBeans());
        return r;
    }

    /** Jinjava's bean resolver, allowed only on maps, lists and {@code loop}, and only the listed methods. */
    static final class RestrictedBeans extends JinjavaBeanELResolver {

        RestrictedBeans() {
            super(true);
        }

        /** Objects a method call may be made on or may return: template values and the engine's filters/tests. */
        @Override
        protected boolean isRestrictedClass(Object o) {
            return o != null && !(o instanceof CharSequence || o instanceof Number || o instanceof Boolean
                    || o instanceof Character || o instanceof Map || o instanceof Collection
                    || o instanceof Map.Entry || o instanceof ForLoop || o instanceof Filter || o instanceof ExpTest
                    || o instanceof SafeString || o instanceof Namespace);
        }

        /** Properties are read only from {@code loop} and map entries; any other object has none. */
        @Override
        public Object getValue(ELContext context, Object base, Object property) {
            if (base instanceof ForLoop || base instanceof Map.Entry) {
                return super.getValue(context, base, property);
            }
            if (base != null) {
                context.setPropertyResolved(true);
            }
            return null;
        }

        @Override
        public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
            if (base == null) {
                return null;
            }
            String name = String.valueOf(method);
            boolean allowed = (base instanceof Map && MAP_METHODS.contains(name))
                    || (base instanceof List && LIST_METHODS.contains(name))
                    || (base instanceof ForLoop && LOOP_METHODS.contains(name))
                    || (base instanceof Filter && FILTER_METHODS.contains(name))
                    || (base instanceof ExpTest && TEST_METHODS.contains(name));
            if (!allowed) {
                throw new MethodNotFoundException("method '" + name + "' of " + typeName(base)
                        + " may not be called from a chat template");
            }
            return super.invoke(context, base, method, paramTypes, params);
        }

        private static String typeName(Object o) {
            if (o instanceof Map) {
                return "a dict";
            }
            if (o instanceof List) {
                return "a list";
            }
            return "a " + o.getClass().getSimpleName();
        }
    }
}
