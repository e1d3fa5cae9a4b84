package dev.telos.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.extension.AbstractExtension;
import io.pebbletemplates.pebble.extension.Extension;
import io.pebbletemplates.pebble.extension.ExtensionCustomizer;
import io.pebbletemplates.pebble.extension.Filter;
import io.pebbletemplates.pebble.extension.Function;
import io.pebbletemplates.pebble.extension.core.DefaultFilter;
import io.pebbletemplates.pebble.loader.Loader;
import io.pebbletemplates.pebble.template.EvaluationContext;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pebble, configured as a sandbox for chart templates: undefined variables are errors, no method or
 * class of any object can be reached (values are plain maps, lists, strings and numbers), no
 * resource bundle is read, and a render is bounded in time, output size, loop length and includes.
 * Filters chart authors expect: {@code default}, {@code required(message)}, {@code toYaml}, {@code
 * toJson}, {@code indent(n)}, {@code nindent(n)}, {@code quote}, {@code b64enc}, {@code sha256};
 * Pebble's own loops, conditionals, macros and includes of {@code _} partials.
 */
public final class TemplateEngine {
  /** How long one release may take to render. */
  static final Duration TIME_LIMIT = Duration.ofSeconds(2);

  /** The most characters one template renders. */
  static final int MAX_OUTPUT = 4 << 20;

  /** The most elements a {@code range} yields. */
  static final int MAX_RANGE = 10_000;

  /** The most templates one render includes, in all. */
  static final int MAX_INCLUDES = 1_000;

  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  /** Why a render failed, where: a template's file and line (column unknown: 1). */
  public static final class RenderException extends Exception {
    private static final long serialVersionUID = 1L;
    final String file;
    final int line;

    RenderException(String file, int line, String message) {
      super(message);
      this.file = file;
      this.line = line;
    }
  }

  /** The deadline and include count of the render on this thread. */
  private static final ThreadLocal<long[]> BUDGET = new ThreadLocal<>();

  private final PebbleEngine engine;

  /** An engine over a chart's {@code templates/} files. */
  TemplateEngine(Map<String, String> templates) {
    this.engine =
        new PebbleEngine.Builder()
            .loader(new ChartLoader(templates))
            .strictVariables(true)
            .autoEscaping(false)
            .newLineTrimming(false) // YAML: a line break after {{ }} or {% %} is meant
            .cacheActive(false)
            .methodAccessValidator((object, method) -> false)
            .maxRenderedSize(MAX_OUTPUT)
            .registerExtensionCustomizer(Sandbox::new)
            .extension(new ChartFunctions())
            .build();
  }

  /** The stack of the thread a template renders on: deep enough for the include limit. */
  private static final long STACK_BYTES = 64L << 20;

  /**
   * Renders one template with {@code context} (its values made deadline-checked), on a thread of
   * its own whose stack holds {@link #MAX_INCLUDES} nested includes, so that the limit, not the
   * stack, is what stops a template including itself.
   */
  String render(String template, Map<String, Object> context) throws RenderException {
    if (Thread.currentThread().isInterrupted()) {
      // Thread.join returns at once, without looking at the interrupt, when the render thread has
      // already ended: a fast render would otherwise hide the caller's interrupt.
      throw new RenderException(template, 1, "interrupted");
    }
    String[] out = new String[1];
    RenderException[] failed = new RenderException[1];
    Thread t =
        new Thread(
            null,
            () -> {
              try {
                out[0] = renderHere(template, context);
              } catch (RenderException e) {
                failed[0] = e;
              }
            },
            "telos-render",
            STACK_BYTES);
    t.setDaemon(true);
    t.start();
    try {
      t.join(TIME_LIMIT.toMillis() + 5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RenderException(template, 1, "interrupted");
    }
    if (t.isAlive()) {
      t.interrupt();
      throw new RenderException(
          template, 1, "render took longer than " + TIME_LIMIT.toSeconds() + "s; stopped");
    }
    if (failed[0] != null) {
      throw failed[0];
    }
    return out[0];
  }

  private String renderHere(String template, Map<String, Object> context) throws RenderException {
    long[] budget = {System.nanoTime() + TIME_LIMIT.toNanos(), 0};
    BUDGET.set(budget);
    try {
      PebbleTemplate t = engine.getTemplate(template);
      StringWriter out = new StringWriter();
      t.evaluate(out, guard(context));
      return out.toString();
    } catch (PebbleException e) {
      Throwable cause = e;
      while (cause.getCause() != null && cause.getCause() != cause) {
        if (cause.getCause() instanceof Budget b) {
          throw new RenderException(
              e.getFileName() == null ? template : e.getFileName(),
              e.getLineNumber() == null ? 1 : e.getLineNumber(),
              b.getMessage());
        }
        cause = cause.getCause();
      }
      throw new RenderException(
          e.getFileName() == null ? template : e.getFileName(),
          e.getLineNumber() == null ? 1 : Math.max(1, e.getLineNumber()),
          e.getPebbleMessage() == null ? String.valueOf(e.getMessage()) : e.getPebbleMessage());
    } catch (Budget b) {
      throw new RenderException(template, 1, b.getMessage());
    } catch (StackOverflowError e) {
      throw new RenderException(
          template, 1, "recursion too deep (a macro or include calls itself)");
    } catch (java.io.IOException | RuntimeException e) {
      throw new RenderException(template, 1, String.valueOf(e.getMessage()));
    } finally {
      BUDGET.remove();
    }
  }

  /** A render over its limits. */
  static final class Budget extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Budget(String message) {
      super(message, null, false, false);
    }
  }

  static void tick() {
    long[] b = BUDGET.get();
    if (b != null && System.nanoTime() > b[0]) {
      throw new Budget("render took longer than " + TIME_LIMIT.toSeconds() + "s; stopped");
    }
  }

  /** Plain values wrapped so that every loop over them checks the render's deadline. */
  @SuppressWarnings("unchecked")
  static Object guard(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> inner = new LinkedHashMap<>();
      m.forEach((k, x) -> inner.put(String.valueOf(k), guard(x)));
      return new GuardedMap(inner);
    }
    if (v instanceof List<?> l) {
      List<Object> inner = new ArrayList<>(l.size());
      l.forEach(x -> inner.add(guard(x)));
      return new GuardedList(inner);
    }
    return v;
  }

  static Map<String, Object> guard(Map<String, Object> context) {
    return (Map<String, Object>) guard((Object) context);
  }

  static final class GuardedList extends AbstractList<Object> {
    private final List<Object> inner;

    GuardedList(List<Object> inner) {
      this.inner = inner;
    }

    @Override
    public Object get(int index) {
      tick();
      return inner.get(index);
    }

    @Override
    public int size() {
      return inner.size();
    }
  }

  static final class GuardedMap extends AbstractMap<String, Object> {
    private final Map<String, Object> inner;

    GuardedMap(Map<String, Object> inner) {
      this.inner = inner;
    }

    @Override
    public Object get(Object key) {
      return inner.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return inner.containsKey(key);
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Entry<String, Object>> iterator() {
          Iterator<Entry<String, Object>> it = inner.entrySet().iterator();
          return new Iterator<>() {
            @Override
            public boolean hasNext() {
              return it.hasNext();
            }

            @Override
            public Entry<String, Object> next() {
              tick();
              return it.next();
            }
          };
        }

        @Override
        public int size() {
          return inner.size();
        }
      };
    }
  }

  /** Templates by name, from the chart only; every include counted. */
  private static final class ChartLoader implements Loader<String> {
    private final Map<String, String> templates;

    ChartLoader(Map<String, String> templates) {
      this.templates = templates;
    }

    @Override
    public Reader getReader(String name) {
      long[] b = BUDGET.get();
      if (b != null && ++b[1] > MAX_INCLUDES) {
        throw new Budget("more than " + MAX_INCLUDES + " templates included in one render");
      }
      String text = templates.get(name);
      if (text == null) {
        throw new PebbleException(null, "no template '" + name + "' in the chart's templates/");
      }
      return new StringReader(text);
    }

    @Override
    public void setCharset(String charset) {}

    @Override
    public void setPrefix(String prefix) {}

    @Override
    public void setSuffix(String suffix) {}

    @Override
    public String resolveRelativePath(String relativePath, String anchorPath) {
      return relativePath;
    }

    @Override
    public String createCacheKey(String templateName) {
      return templateName;
    }

    @Override
    public boolean resourceExists(String templateName) {
      return templates.containsKey(templateName);
    }
  }

  /** Pebble's core, without what reaches outside the values: i18n; a bounded range. */
  private static final class Sandbox extends ExtensionCustomizer {
    Sandbox(Extension delegate) {
      super(delegate);
    }

    @Override
    public Map<String, Function> getFunctions() {
      Map<String, Function> functions = super.getFunctions();
      if (functions == null) {
        return null;
      }
      Map<String, Function> out = new HashMap<>(functions);
      out.remove("i18n");
      if (out.containsKey("range")) {
        out.put("range", new BoundedRange(out.get("range")));
      }
      return out;
    }
  }

  /** Pebble's {@code range} (also {@code a..b}), refused past {@link #MAX_RANGE} elements. */
  private static final class BoundedRange implements Function {
    private final Function range;

    BoundedRange(Function range) {
      this.range = range;
    }

    @Override
    public List<String> getArgumentNames() {
      return range.getArgumentNames();
    }

    @Override
    public Object execute(
        Map<String, Object> args, PebbleTemplate self, EvaluationContext context, int line) {
      long start = number(args.get("start"));
      long end = number(args.get("end"));
      long step = args.get("increment") == null ? 1 : number(args.get("increment"));
      if (step == 0 || Math.abs((end - start) / step) >= MAX_RANGE) {
        throw new PebbleException(
            null,
            "range(" + start + ", " + end + ", " + step + ") is over " + MAX_RANGE + " elements",
            line,
            self.getName());
      }
      Object r = range.execute(args, self, context, line);
      return r instanceof List<?> l ? guard(l) : r;
    }

    private static long number(Object o) {
      return o instanceof Number n ? n.longValue() : 0;
    }
  }

  /** The filters charts use besides Pebble's own. */
  private static final class ChartFunctions extends AbstractExtension {
    @Override
    public Map<String, Filter> getFilters() {
      Map<String, Filter> f = new HashMap<>();
      f.put("required", new Required());
      f.put("toYaml", simple(TemplateEngine::toYaml));
      f.put("toJson", simple(TemplateEngine::toJson));
      f.put("quote", simple(v -> quote(v == null ? "" : String.valueOf(v))));
      f.put(
          "b64enc",
          simple(
              v ->
                  Base64.getEncoder()
                      .encodeToString(String.valueOf(v).getBytes(StandardCharsets.UTF_8))));
      f.put("sha256", simple(v -> sha256(String.valueOf(v))));
      f.put("indent", new Indent(false));
      f.put("nindent", new Indent(true));
      return f;
    }
  }

  private interface Simple {
    Object apply(Object input) throws PebbleException;
  }

  private static Filter simple(Simple s) {
    return new Filter() {
      @Override
      public List<String> getArgumentNames() {
        return List.of();
      }

      @Override
      public Object apply(
          Object input,
          Map<String, Object> args,
          PebbleTemplate self,
          EvaluationContext context,
          int line) {
        try {
          return s.apply(input);
        } catch (PebbleException e) {
          throw new PebbleException(null, e.getPebbleMessage(), line, self.getName());
        }
      }
    };
  }

  /**
   * {@code value | required("message")}: the message is the render's error when the value is
   * missing, null or empty. A {@link DefaultFilter}, so that Pebble hands it a missing value
   * instead of failing first on the undefined variable.
   */
  private static final class Required extends DefaultFilter {
    @Override
    public List<String> getArgumentNames() {
      return List.of("message");
    }

    @Override
    public Object apply(
        Object input,
        Map<String, Object> args,
        PebbleTemplate self,
        EvaluationContext context,
        int line) {
      if (input == null || (input instanceof String s && s.isEmpty())) {
        Object message = args.get("message");
        throw new PebbleException(
            null,
            "required: " + (message == null ? "a value is missing" : message),
            line,
            self.getName());
      }
      return input;
    }
  }

  private static final class Indent implements Filter {
    private final boolean newline;

    Indent(boolean newline) {
      this.newline = newline;
    }

    @Override
    public List<String> getArgumentNames() {
      return List.of("spaces");
    }

    @Override
    public Object apply(
        Object input,
        Map<String, Object> args,
        PebbleTemplate self,
        EvaluationContext context,
        int line) {
      Object n = args.get("spaces");
      int spaces = n instanceof Number num ? num.intValue() : 0;
      if (spaces < 0 || spaces > 100) {
        throw new PebbleException(null, "indent takes 0 to 100 spaces", line, self.getName());
      }
      String pad = " ".repeat(spaces);
      String text = input == null ? "" : String.valueOf(input);
      String indented = pad + text.replace("\n", "\n" + pad);
      return newline ? "\n" + indented : indented;
    }
  }

  static String toYaml(Object value) {
    try {
      String s = YAML.writeValueAsString(value);
      return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    } catch (JsonProcessingException e) {
      throw new PebbleException(e, "toYaml: " + e.getOriginalMessage());
    }
  }

  static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new PebbleException(e, "toJson: " + e.getOriginalMessage());
    }
  }

  /** A double-quoted YAML (and JSON) string. */
  static String quote(String s) {
    return toJson(s);
  }

  static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
