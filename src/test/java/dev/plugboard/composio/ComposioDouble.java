package dev.plugboard.composio;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/** WireMock on 127.0.0.1 playing Composio's v3 API; configures Plugboard to use it. */
public class ComposioDouble implements QuarkusTestResourceLifecycleManager {

  static final String API_KEY = "cmp_test_key_7f3a9c1e5b2d4a6f8e0c";
  // Generous: the first call of a cold JVM on a busy CI machine must not look like a timeout.
  static final String TIMEOUT = "5s";

  /** Marks the test field that receives the running double. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.FIELD)
  public @interface Inject {}

  private WireMockServer server;

  /*
   * Crypto keeps its dev/test key in this system property; the next Quarkus boot in the same JVM
   * then refuses it as an unknown plugboard.crypto.* property. Clearing it around this class's boot
   * lets the restricted boot and the ones after it start (each with a fresh generated key).
   */
  private static final String GENERATED_CRYPTO_KEY = "plugboard.crypto.generated-key";

  @Override
  public Map<String, String> start() {
    System.clearProperty(GENERATED_CRYPTO_KEY);
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    return Map.of(
        "plugboard.composio.base-url", server.baseUrl(),
        "plugboard.composio.api-key", API_KEY,
        "plugboard.composio.timeout", TIMEOUT);
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(server, new TestInjector.AnnotatedAndMatchesType(Inject.class, WireMockServer.class));
  }

  @Override
  public void stop() {
    System.clearProperty(GENERATED_CRYPTO_KEY);
    if (server != null) {
      server.stop();
    }
  }
}
