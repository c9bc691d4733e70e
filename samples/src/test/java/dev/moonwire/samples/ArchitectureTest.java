package dev.moonwire.samples;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.moonwire.dalua.internal.Liveness;
import dev.moonwire.dalua.internal.directory.HubDirectory;
import dev.moonwire.dalua.internal.directory.LocalDirectory;

/**
 * How Moonwire's code is laid out, kept so: the API knows nothing of Netty, Kryo or the
 * runtime; the runtime's packages form a DAG, wire ← transport ← call / dispatch ← the process
 * facade, each lower one reaching the process only through the narrow interfaces it owns.
 * (Here rather than in a module's own tests: on the class path, all three modules are seen.)
 */
@AnalyzeClasses(packages = {"dev.moonwire.rpc", "dev.moonwire.dalua"},
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String RUNTIME = "dev.moonwire.rpc.runtime.internal";

  @ArchTest
  static final ArchRule apiKnowsNoNettyKryoOrRuntime = noClasses()
      .that().resideInAnyPackage("dev.moonwire.rpc", "dev.moonwire.rpc.spi")
      .should().dependOnClassesThat().resideInAnyPackage(
          "io.netty..", "com.esotericsoftware..", "dev.moonwire.rpc.runtime..",
          "dev.moonwire.rpc.sync..")
      .because("users see Moonwire's and the JDK's types only");

  @ArchTest
  static final ArchRule apisOwnInternalsUseTheJdkOnly = noClasses()
      .that().resideInAPackage("dev.moonwire.rpc.internal")
      .should().dependOnClassesThat().resideOutsideOfPackages("java..", "dev.moonwire.rpc..")
      .because("how messages name types and durations needs nothing but the JDK");

  @ArchTest
  static final ArchRule publicSyncApiKnowsNoThirdPartyTypes = noClasses()
      .that().resideInAPackage("dev.moonwire.rpc.sync")
      .and().arePublic()
      .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "com.esotericsoftware..");

  @ArchTest
  static final ArchRule daluaStandsOnTheApiAlone = noClasses()
      .that().resideInAnyPackage("dev.moonwire.dalua", "dev.moonwire.dalua.internal..")
      .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "com.esotericsoftware..",
          "org.apache.curator..", "org.apache.zookeeper..", "dev.moonwire.rpc.runtime..",
          "dev.moonwire.rpc.sync..")
      .because("DALua is built on Moonwire's API; only rpc-zookeeper knows ZooKeeper");

  @ArchTest
  static final ArchRule daluaPackageHoldsOnlyItsApi = classes()
      .that().resideInAPackage("dev.moonwire.dalua").and().areTopLevelClasses()
      .should().bePublic()
      .because("dev.moonwire.dalua is DALua's API (its types and the Dalua facade): an "
          + "implementation class lives in dalua.internal.* (issue 20's layout; module-info "
          + "exports no internal package to users, DaluaModuleTest)");

  @ArchTest
  static final ArchRule daluaMutexStateHasNoLocks = noClasses()
      .that().resideInAnyPackage("dev.moonwire.dalua.internal.mutex",
          "dev.moonwire.dalua.internal.total", "dev.moonwire.dalua.internal.causal",
          "dev.moonwire.dalua.internal.directory")
      // Not a process's state: Directory.local() is one object for every process of the JVM,
      // and a hub member's session is called from any thread (the Directory SPI's contract).
      .and(not(belongToAnyOf(LocalDirectory.class, HubDirectory.class)))
      .or().belongToAnyOf(Liveness.class)
      .should().dependOnClassesThat().resideInAnyPackage("java.util.concurrent.atomic..",
          "java.util.concurrent.locks..")
      .orShould().dependOnClassesThat().haveSimpleNameStartingWith("Concurrent")
      .because("the algorithms' state lives in their process's events (DESIGN §8): a lock, "
          + "atomic or concurrent collection there says the confinement leaked");

  @ArchTest
  static final ArchRule runtimePackagesFormNoCycles =
      slices().matching("dev.moonwire.rpc.(**)").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule runtimeIsLayered = layeredArchitecture()
      .consideringOnlyDependenciesInLayers()
      .layer("wire").definedBy(RUNTIME + ".wire..")
      .layer("transport").definedBy(RUNTIME + ".transport..")
      .layer("call").definedBy(RUNTIME + ".call..")
      .layer("dispatch").definedBy(RUNTIME + ".dispatch..")
      .layer("process").definedBy(RUNTIME)
      .layer("sync").definedBy("dev.moonwire.rpc.sync..")
      .whereLayer("sync").mayNotBeAccessedByAnyLayer()
      .whereLayer("process").mayOnlyBeAccessedByLayers("sync")
      .whereLayer("dispatch").mayOnlyBeAccessedByLayers("process", "sync")
      .whereLayer("call").mayOnlyBeAccessedByLayers("process", "sync")
      .whereLayer("transport").mayOnlyBeAccessedByLayers("call", "dispatch", "process", "sync")
      .whereLayer("wire")
      .mayOnlyBeAccessedByLayers("transport", "call", "dispatch", "process", "sync");
}
