package dev.plugboard.packaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The configuration the application actually reads, in environment-variable form: every
 * {@code @ConfigMapping} and {@code @ConfigProperty} in the compiled classes plus the keys of
 * application.properties. A manifest env name outside this set would be silently ignored.
 */
final class AppConfigNames {

  private final Set<String> envNames = new TreeSet<>();
  private final Set<String> envPrefixes = new TreeSet<>();
  private final Properties properties = new Properties();

  private AppConfigNames() {}

  static AppConfigNames load(Path classesDir) {
    AppConfigNames names = new AppConfigNames();
    try (InputStream in = AppConfigNames.class.getResourceAsStream("/application.properties")) {
      names.properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String key : names.properties.stringPropertyNames()) {
      names.envNames.add(toEnv(key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key));
    }
    try (Stream<Path> files = Files.walk(classesDir)) {
      files
          .filter(p -> p.toString().endsWith(".class"))
          .map(p -> classesDir.relativize(p).toString().replace('/', '.').replace(".class", ""))
          .filter(n -> n.startsWith("dev.plugboard."))
          .forEach(names::scan);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  /** SmallRye's environment-variable form of a property name. */
  static String toEnv(String property) {
    return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
  }

  boolean reads(String envName) {
    return envNames.contains(envName) || envPrefixes.stream().anyMatch(envName::startsWith);
  }

  /** A value from application.properties, ignoring profile-specific entries. */
  Optional<String> property(String key) {
    return Optional.ofNullable(properties.getProperty(key));
  }

  Set<String> envNames() {
    return envNames;
  }

  private void scan(String className) {
    Class<?> type;
    try {
      type = Class.forName(className, false, getClass().getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return; // dev-only classes whose dependencies are absent from this class path
    }
    ConfigMapping mapping = type.getAnnotation(ConfigMapping.class);
    if (mapping != null) {
      mapping(mapping.prefix(), type);
    }
    for (Field f : type.getDeclaredFields()) {
      configProperty(f.getAnnotation(ConfigProperty.class));
    }
    // Constructor and method injection: @ConfigProperty on parameters.
    for (java.lang.reflect.Executable e : concat(type.getDeclaredConstructors(), type.getDeclaredMethods())) {
      for (java.lang.reflect.Parameter p : e.getParameters()) {
        configProperty(p.getAnnotation(ConfigProperty.class));
      }
    }
  }

  private static java.lang.reflect.Executable[] concat(java.lang.reflect.Executable[] a, java.lang.reflect.Executable[] b) {
    java.lang.reflect.Executable[] all = java.util.Arrays.copyOf(a, a.length + b.length, java.lang.reflect.Executable[].class);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private void configProperty(ConfigProperty p) {
    if (p != null && !p.name().isEmpty()) {
      envNames.add(toEnv(p.name()));
    }
  }

  private void mapping(String prefix, Class<?> type) {
    for (Method m : type.getMethods()) {
      if (Modifier.isStatic(m.getModifiers()) || m.getParameterCount() > 0 || m.isDefault()) {
        continue;
      }
      String name =
          m.isAnnotationPresent(WithParentName.class)
              ? prefix
              : prefix + "." + Optional.ofNullable(m.getAnnotation(WithName.class)).map(WithName::value).orElse(kebab(m.getName()));
      Class<?> raw = m.getReturnType();
      Type generic = m.getGenericReturnType();
      if (Map.class.isAssignableFrom(raw)) {
        envPrefixes.add(toEnv(name) + "_");
      } else if (Optional.class.equals(raw) && generic instanceof ParameterizedType pt && group(pt.getActualTypeArguments()[0])) {
        mapping(name, (Class<?>) pt.getActualTypeArguments()[0]);
      } else if (group(raw)) {
        mapping(name, raw);
      } else {
        envNames.add(toEnv(name));
      }
    }
  }

  private static boolean group(Type t) {
    return t instanceof Class<?> c && c.isInterface() && c.getName().startsWith("dev.plugboard.");
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
  }
}
