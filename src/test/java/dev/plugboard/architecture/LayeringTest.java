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
          .definedBy("dev.plugboard.api..", "dev.plugboard.net..")
          .layer("identity")
          .definedBy("dev.plugboard.tenancy..", "dev.plugboard.credential..")
          .layer("core")
          .definedBy("dev.plugboard.connection..", "dev.plugboard.trigger..")
          .layer("capabilities")
          .definedBy("dev.plugboard.mcp..", "dev.plugboard.oauth..", "dev.plugboard.composio..", "dev.plugboard.admin..")
          .layer("top")
          .definedBy("dev.plugboard.gateway..")
          .whereLayer("top")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("capabilities")
          .mayOnlyBeAccessedByLayers("top")
          .whereLayer("core")
          .mayOnlyBeAccessedByLayers("capabilities", "top")
          .whereLayer("identity")
          .mayOnlyBeAccessedByLayers("core", "capabilities", "top")
          .whereLayer("base")
          .mayOnlyBeAccessedByLayers("identity", "core", "capabilities", "top");

  @ArchTest
  static final ArchRule noCycles = SlicesRuleDefinition.slices().matching("dev.plugboard.(*)..").should().beFreeOfCycles();
}
