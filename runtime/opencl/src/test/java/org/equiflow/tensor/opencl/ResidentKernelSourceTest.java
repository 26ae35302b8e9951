package org.equiflow.tensor.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link ResidentKernelF64} is {@link ResidentKernelF32} with doubles (Aparapi fixes a kernel to
 * one array element type). The build writes it at generate-sources (the antrun step of this
 * module's pom, with Ant's filters); {@link #toFloat64} states the rule in Java, and this test
 * holds the generated file to it, so a filter that misses a case (a float literal it leaves, an
 * identifier it breaks) fails here rather than as a float64 kernel that quietly computes in float.
 * That the generated kernel compiles is the build's; that it runs is OpenClBackendParityTest's.
 */
class ResidentKernelSourceTest {
    private static final Path FLOAT32 = Path.of("src/main/java/org/equiflow/tensor/opencl/ResidentKernelF32.java");
    private static final Path FLOAT64 = Path.of("target/generated-sources/resident/org/equiflow/tensor/opencl/ResidentKernelF64.java");
    private static final Pattern FLOAT_LITERAL = Pattern.compile("\\b(\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)f\\b");

    static String toFloat64(String float32Source) {
        String s = float32Source
                .replace("ResidentKernelF32", "ResidentKernelF64")
                .replace("float32", "float64")
                .replace("Float.BYTES", "Double.BYTES")
                .replaceAll("\\bfloat\\b", "double");
        Matcher m = FLOAT_LITERAL.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String digits = m.group(1);
            m.appendReplacement(out, digits.contains(".") || digits.contains("e") || digits.contains("E") ? digits : digits + ".0");
        }
        m.appendTail(out);
        return out.toString().replaceFirst("(?m)^(package .*;)$", "$1 // Generated from ResidentKernelF32.java at build time: edit that file.");
    }

    @Test
    void theGeneratedFloat64KernelIsTheFloat32KernelWithDoubles() throws IOException {
        assertEquals(toFloat64(Files.readString(FLOAT32)), Files.readString(FLOAT64),
                "the build's filters and the rule disagree: compare runtime/opencl/pom.xml with toFloat64");
    }

    @Test
    void noFloatIsLeftInTheFloat64Kernel() throws IOException {
        String float64 = Files.readString(FLOAT64);
        // F32 but in the header's "Generated from ResidentKernelF32.java"
        Matcher trace = Pattern.compile("\\bfloat\\b|\\b\\d+(\\.\\d+)?f\\b|F32(?!\\.java)").matcher(float64);
        assertFalse(trace.find(), () -> "a float32 trace in " + FLOAT64 + ": " + trace.group());
    }

    @Test
    void theFloat64KernelIsNotCommitted() {
        assertFalse(Files.exists(FLOAT32.resolveSibling("ResidentKernelF64.java")),
                "src/main/java has a ResidentKernelF64.java, which would shadow the generated one: delete it");
    }
}
