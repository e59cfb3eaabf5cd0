package io.paddock.archtests;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import java.lang.invoke.MethodHandles;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Date;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Predicates over calls, field accesses and method references ({@code System::nanoTime} counts too), by the target's
 * owner and name, so that every overload is covered.
 */
final class Accesses {
    private Accesses() {}

    static final DescribedPredicate<JavaAccess<?>> SYSTEM_PROPERTIES_OR_ENVIRONMENT = anyOf(
            "read or write system properties or the environment", List.of(
            to(System.class, "getProperty", "getProperties", "setProperty", "setProperties", "clearProperty",
                    "getenv"),
            // these three read system properties under a harmless-looking name
            to(Integer.class, "getInteger"),
            to(Long.class, "getLong"),
            to(Boolean.class, "getBoolean")));

    static final DescribedPredicate<JavaAccess<?>> SYSTEM_CLOCK = anyOf("read the system clock", List.of(
            to(System.class, "currentTimeMillis", "nanoTime"),
            to(Instant.class, "now"),
            to(LocalDate.class, "now"),
            to(LocalTime.class, "now"),
            to(LocalDateTime.class, "now"),
            to(OffsetDateTime.class, "now"),
            to(ZonedDateTime.class, "now"),
            to(java.time.Clock.class, "systemUTC", "systemDefaultZone", "system"),
            noArgConstructorOf(Date.class)));

    /** {@code new Random()} seeds itself from the clock; {@code new Random(seed)} is deterministic. */
    static final DescribedPredicate<JavaAccess<?>> UNSEEDED_RANDOM = noArgConstructorOf(Random.class);

    static final DescribedPredicate<JavaAccess<?>> JVM_EXIT = anyOf("end the JVM", List.of(
            to(System.class, "exit"),
            to(Runtime.class, "exit", "halt")));

    static final DescribedPredicate<JavaAccess<?>> CLASS_LOADING_BY_NAME = anyOf("load a class by its name", List.of(
            to(Class.class, "forName"),
            to(ClassLoader.class, "loadClass"),
            to(MethodHandles.Lookup.class, "findClass")));

    /** Accesses to members of {@code owner} named one of {@code names}. */
    static DescribedPredicate<JavaAccess<?>> to(Class<?> owner, String... names) {
        Set<String> wanted = Set.of(names);
        return DescribedPredicate.describe(owner.getSimpleName() + "." + String.join("/", names),
                access -> access.getTargetOwner().isEquivalentTo(owner) && wanted.contains(access.getName()));
    }

    private static DescribedPredicate<JavaAccess<?>> noArgConstructorOf(Class<?> owner) {
        return DescribedPredicate.describe("new " + owner.getSimpleName() + "()",
                access -> access.getTargetOwner().isEquivalentTo(owner)
                        && access.getTarget() instanceof AccessTarget.ConstructorCallTarget target
                        && target.getRawParameterTypes().isEmpty());
    }

    private static DescribedPredicate<JavaAccess<?>> anyOf(String description,
            List<DescribedPredicate<JavaAccess<?>>> all) {
        return DescribedPredicate.describe(description, access -> all.stream().anyMatch(p -> p.test(access)));
    }
}
