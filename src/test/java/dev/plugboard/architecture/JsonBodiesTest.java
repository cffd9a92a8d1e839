package dev.plugboard.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.plugboard.api.JsonBodies;
import dev.plugboard.gateway.McpEndpoint;
import jakarta.ws.rs.Path;

/**
 * The empty-or-null JSON body rule ({@code api/JsonBody}) is bound, not global: every resource class
 * carries it but the MCP gateway's, which answers bad bodies in JSON-RPC ({@code MissingBodyTest}
 * checks the answers over HTTP).
 */
@AnalyzeClasses(packages = "dev.plugboard", importOptions = ImportOption.DoNotIncludeTests.class)
class JsonBodiesTest {

  @ArchTest
  static final ArchRule everyResourceButTheGatewaysChecksItsJsonBodies =
      classes()
          .that()
          .areAnnotatedWith(Path.class)
          .and()
          .areNotInterfaces()
          .and()
          .areNotAnnotatedWith(McpEndpoint.class)
          .should()
          .beAnnotatedWith(JsonBodies.class);
}
