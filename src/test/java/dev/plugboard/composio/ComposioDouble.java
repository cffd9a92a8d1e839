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

  @Override
  public Map<String, String> start() {
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
    if (server != null) {
      server.stop();
    }
  }
}
