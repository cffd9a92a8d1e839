package dev.plugboard.packaging;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Keeps the code buildable as a native image (DESIGN §1): no dynamic class loading and no
 * reflective calls or proxies that GraalVM/Mandrel would need to know about ahead of time.
 * Types that Jackson reads outside resource signatures carry {@code @RegisterForReflection}.
 */
class NativeFriendlinessTest {

  private static final JavaClasses MAIN =
      new ClassFileImporter().importPath(Path.of("target/classes"));

  @Test
  void noDynamicClassLoadingOrReflectiveCalls() {
    noClasses()
        .that()
        .resideInAPackage("dev.plugboard..")
        .and()
        .resideOutsideOfPackage("dev.plugboard.devdb..") // dev/test-only, left out of native builds
        .should()
        .callMethod(Class.class, "forName", String.class)
        .orShould()
        .callMethod(Class.class, "forName", String.class, boolean.class, ClassLoader.class)
        .orShould()
        .callMethod(ClassLoader.class, "loadClass", String.class)
        .orShould()
        .callMethod(Proxy.class, "newProxyInstance", ClassLoader.class, Class[].class, InvocationHandler.class)
        .orShould()
        .callMethod(Method.class, "invoke", Object.class, Object[].class)
        .orShould()
        .callMethod(Constructor.class, "newInstance", Object[].class)
        .because("a native image only has the classes and reflection registered at build time")
        .check(MAIN);
  }
}
