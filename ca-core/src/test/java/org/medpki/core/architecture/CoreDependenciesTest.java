package org.medpki.core.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** ca-core is the domain: adapters depend on it, never the other way round. */
class CoreDependenciesTest {
    private final JavaClasses core = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.medpki.core");

    @Test
    void coreKnowsNoAdapterTechnology() {
        noClasses().that().resideInAPackage("org.medpki.core..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.vertx..", "io.netty..", "org.xipki..", "java.sql..", "javax.sql..", "org.postgresql..",
                        "org.flywaydb..", "picocli..", "org.medpki.hsm..", "org.medpki.inventory..", "org.medpki.ops..",
                        "org.medpki.acme..", "org.medpki.ocsp..", "org.medpki.crl..")
                .because("ca-core defines ports; PKCS#11, SQL and HTTP live in adapter modules")
                .check(core);
    }

    @Test
    void domainPackagesDoNotReachIntoTheWiring() {
        noClasses().that().resideInAnyPackage("org.medpki.core.profile..", "org.medpki.core.policy..",
                        "org.medpki.core.template..", "org.medpki.core.lint..")
                .should().dependOnClassesThat().resideInAnyPackage("org.medpki.core.issuance..",
                        "org.medpki.core.hierarchy..", "org.medpki.core.audit..")
                .because("profiles, checks, templates and lint are pure functions of their inputs")
                .check(core);
    }
}
