package dev.moonwire.csp;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** rpc-csp stands on Moonwire's public API alone, as DALua does. */
@AnalyzeClasses(packages = "dev.moonwire.csp", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  @ArchTest
  static final ArchRule cspKnowsNoRuntimeInternals = noClasses()
      .that().resideInAnyPackage("dev.moonwire.csp..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.moonwire.rpc.runtime..",
          "dev.moonwire.rpc.sync..", "dev.moonwire.rpc.internal..", "io.netty..",
          "com.esotericsoftware..")
      .because("CSP is a library on the execution model: its waits are Rpc.await");

}
