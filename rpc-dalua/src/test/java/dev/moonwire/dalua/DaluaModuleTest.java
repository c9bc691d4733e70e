package dev.moonwire.dalua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What rpc-dalua's module shows on the module path, read from its compiled descriptor (the
 * tests run on the class path, where module-info is not enforced): users see the API package
 * only; the internal packages are reached by the runtime alone.
 */
class DaluaModuleTest {
  private static final String RUNTIME = "dev.moonwire.rpc.runtime";

  private static ModuleDescriptor descriptor() throws IOException, URISyntaxException {
    Path classes = Path.of(Dalua.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
      return ModuleDescriptor.read(in);
    }
  }

  @Test
  void moduleInfo_exportsToUsers_onlyTheApiPackage() throws Exception {
    Set<String> toEveryone = descriptor().exports().stream()
        .filter(e -> !e.isQualified())
        .map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toSet());
    assertEquals(Set.of("dev.moonwire.dalua"), toEveryone);
  }

  @Test
  void moduleInfo_protocolPackages_areExportedAndOpenToTheRuntime() throws Exception {
    ModuleDescriptor d = descriptor();
    Set<String> protocols = Set.of("dev.moonwire.dalua.internal.mutex",
        "dev.moonwire.dalua.internal.total", "dev.moonwire.dalua.internal.causal",
        "dev.moonwire.dalua.internal.topic", "dev.moonwire.dalua.internal.space");
    // the runtime makes their typed proxies and encodes their records reflectively
    assertEquals(protocols, d.exports().stream().filter(ModuleDescriptor.Exports::isQualified)
        .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    assertEquals(protocols, d.opens().stream().map(ModuleDescriptor.Opens::source)
        .collect(Collectors.toSet()));
  }

  @Test
  void moduleInfo_internalPackages_reachTheRuntimeOnly() throws Exception {
    ModuleDescriptor d = descriptor();
    d.exports().stream().filter(ModuleDescriptor.Exports::isQualified).forEach(e -> {
      assertTrue(e.source().startsWith("dev.moonwire.dalua.internal"), e.toString());
      assertEquals(Set.of(RUNTIME), e.targets(), e.toString());
    });
    d.opens().forEach(o -> {
      assertTrue(o.source().startsWith("dev.moonwire.dalua.internal"), o.toString());
      assertEquals(Set.of(RUNTIME), o.targets(), o.toString());
    });
  }
}
