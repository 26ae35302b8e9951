package org.equiflow.tensor.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link ResidentKernelF64} is {@link ResidentKernelF32} with doubles (Aparapi fixes a kernel to
 * one array element type), generated from it by {@link #toFloat64}: this test fails when the
 * two drift apart, and {@code -Dresident.regenerate=true} rewrites the float64 file.
 */
class ResidentKernelSourceTest {
    private static final Path SOURCES = Path.of("src/main/java/org/equiflow/tensor/opencl");
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
        return out.toString().replaceFirst("\n\n", "\n\n// Generated from ResidentKernelF32.java by ResidentKernelSourceTest"
                + " (mvn test -Dtest=ResidentKernelSourceTest -Dresident.regenerate=true): edit that file, not this one.\n\n");
    }

    @Test
    void theFloat64KernelIsTheFloat32KernelWithDoubles() throws IOException {
        String expected = toFloat64(Files.readString(SOURCES.resolve("ResidentKernelF32.java")));
        Path float64 = SOURCES.resolve("ResidentKernelF64.java");
        if (Boolean.getBoolean("resident.regenerate")) Files.writeString(float64, expected);
        assertEquals(expected, Files.readString(float64),
                "ResidentKernelF64.java is out of date: run the test with -Dresident.regenerate=true");
    }
}
