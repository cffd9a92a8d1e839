package dev.plugboard.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;

/** DESIGN §2: dependencies point one way, downwards, with no cycles. */
@AnalyzeClasses(packages = "dev.plugboard", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

  @ArchTest
  static final ArchRule layers =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("base")
          .definedBy("dev.plugboard.api..", "dev.plugboard.net..", "dev.plugboard.outbox..")
          .layer("identity")
          .definedBy("dev.plugboard.tenancy..", "dev.plugboard.credential..")
          .layer("core")
          .definedBy("dev.plugboard.connection..", "dev.plugboard.trigger..")
          .layer("capabilities")
          .definedBy(
              "dev.plugboard.mcp..",
              "dev.plugboard.oauth..",
              "dev.plugboard.composio..",
              "dev.plugboard.admin..",
              "dev.plugboard.webhook..")
          .layer("connect")
          .definedBy("dev.plugboard.connect..")
          .layer("top")
          .definedBy("dev.plugboard.gateway..")
          .whereLayer("top")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("connect")
          .mayOnlyBeAccessedByLayers("top")
          .whereLayer("capabilities")
          .mayOnlyBeAccessedByLayers("connect", "top")
          .whereLayer("core")
          .mayOnlyBeAccessedByLayers("capabilities", "connect", "top")
          .whereLayer("identity")
          .mayOnlyBeAccessedByLayers("core", "capabilities", "connect", "top")
          .whereLayer("base")
          .mayOnlyBeAccessedByLayers("identity", "core", "capabilities", "connect", "top");

  @ArchTest
  static final ArchRule noCycles = SlicesRuleDefinition.slices().matching("dev.plugboard.(*)..").should().beFreeOfCycles();
}
