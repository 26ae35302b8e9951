package org.equiflow.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    @TempDir
    Path dir;

    @Test
    void doublesRoundTripBitExactForSeveralRanks() throws IOException {
        List<int[]> shapes = List.of(new int[] {}, new int[] {7}, new int[] {3, 4}, new int[] {2, 3, 4, 5},
                new int[] {0, 3});
        for (int[] shape : shapes) {
            int size = 1;
            for (int extent : shape) size *= extent;
            double[] data = new double[size];
            for (int i = 0; i < size; i++) data[i] = Math.sin(i * 1.7) * 1e3 + Math.ulp(1.0) * i;
            Path file = dir.resolve("a" + shape.length + ".npy");
            Npy.write(file, data, shape);
            Npy.NpyArray read = Npy.read(file);
            assertEquals(Npy.FLOAT64, read.dtype());
            assertArrayEquals(shape, read.shape());
            assertArrayEquals(data, read.data());
        }
    }

    @Test
    void floatsAndLongsRoundTrip() throws IOException {
        float[] floats = {1.5f, -0.25f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, -0.0f};
        Npy.write(dir.resolve("f.npy"), floats, 2, 3);
        Npy.NpyFloats readFloats = Npy.readFloats(dir.resolve("f.npy"));
        assertArrayEquals(new int[] {2, 3}, readFloats.shape());
        assertArrayEquals(floats, readFloats.data());
        assertEquals(Npy.FLOAT32, Npy.read(dir.resolve("f.npy")).dtype());
        assertEquals(1.5, Npy.read(dir.resolve("f.npy")).data()[0]);

        long[] longs = {Long.MIN_VALUE, -1, 0, (1L << 53) + 1, Long.MAX_VALUE};
        Npy.write(dir.resolve("i.npy"), longs, 5);
        assertArrayEquals(longs, Npy.readLongs(dir.resolve("i.npy")).data());
        assertEquals(Npy.INT64, Npy.read(dir.resolve("i.npy")).dtype());

        IOException wrongType = assertThrows(IOException.class, () -> Npy.readFloats(dir.resolve("i.npy")));
        assertTrue(wrongType.getMessage().contains("has dtype <i8, not <f4"), wrongType.getMessage());
    }

    /** Arrays stream through one buffer of {@link Npy#CHUNK_BYTES}: one that spans several, ending mid-chunk, reads back bit for bit. */
    @Test
    void arraysLongerThanOneChunkRoundTripBitExact() throws IOException {
        int floats = 3 * (2 * Npy.CHUNK_BYTES / Float.BYTES / 3 + 5);
        float[] f = new float[floats];
        for (int i = 0; i < floats; i++) f[i] = (float) Math.sin(i * 0.37) * (i % 7 == 0 ? -1e30f : 1f);
        Npy.write(dir.resolve("f.npy"), f, floats / 3, 3);
        assertArrayEquals(f, Npy.readFloats(dir.resolve("f.npy")).data());
        assertEquals(Npy.encodeHeader(Npy.FLOAT32, new int[] {floats / 3, 3}).length + 4L * floats, Files.size(dir.resolve("f.npy")));
        int doubles = Npy.CHUNK_BYTES / Double.BYTES + 5;
        double[] d = new double[doubles];
        for (int i = 0; i < doubles; i++) d[i] = Math.cos(i * 0.11) + Math.ulp(1.0) * i;
        Npy.write(dir.resolve("d.npy"), d, doubles);
        assertArrayEquals(d, Npy.read(dir.resolve("d.npy")).data());
        long[] l = new long[Npy.CHUNK_BYTES / Long.BYTES + 1];
        for (int i = 0; i < l.length; i++) l[i] = (long) i * 0x9E3779B97F4A7C15L;
        Npy.write(dir.resolve("l.npy"), l, l.length);
        assertArrayEquals(l, Npy.readLongs(dir.resolve("l.npy")).data());
    }

    @Test
    void headerIsPaddedTo64BytesAndEndsInNewline() throws IOException {
        for (int[] shape : List.of(new int[] {1}, new int[] {3, 4}, new int[] {100000, 16, 16, 2})) {
            byte[] header = Npy.encodeHeader(Npy.FLOAT32, shape);
            assertEquals(0, header.length % Npy.HEADER_ALIGNMENT, "header length " + header.length);
            assertEquals('\n', header[header.length - 1]);
            assertEquals(1, header[6], "version 1.0 suffices for short headers");
            int declared = (header[8] & 0xFF) | (header[9] & 0xFF) << 8;
            assertEquals(header.length - 10, declared);
        }
        String text = new String(Npy.encodeHeader(Npy.FLOAT64, new int[] {5}), StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }"), text);
    }

    @Test
    void headerTooLongForVersion1UsesVersion2() throws IOException {
        int[] shape = new int[25000];
        java.util.Arrays.fill(shape, 1);
        byte[] header = Npy.encodeHeader(Npy.FLOAT64, shape);
        assertEquals(2, header[6]);
        assertEquals(0, header.length % Npy.HEADER_ALIGNMENT);
        Npy.write(dir.resolve("wide.npy"), new double[] {42}, shape);
        Npy.NpyArray read = Npy.read(dir.resolve("wide.npy"));
        assertEquals(25000, read.shape().length);
        assertArrayEquals(new double[] {42}, read.data());
    }

    @Test
    void truncatedFileIsRefusedWithByteCounts() throws IOException {
        Path file = dir.resolve("t.npy");
        Npy.write(file, new double[12], 3, 4);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 5));
        IOException e = assertThrows(IOException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().contains("is truncated: expected 96 bytes of data, found 91"), e.getMessage());

        Files.write(file, java.util.Arrays.copyOf(bytes, 30));
        IOException inHeader = assertThrows(IOException.class, () -> Npy.read(file));
        assertTrue(inHeader.getMessage().contains("is truncated"), inHeader.getMessage());
    }

    @Test
    void badMagicFortranOrderAndWrongShapeAreRefused() throws IOException {
        Path notNpy = dir.resolve("x.npy");
        Files.writeString(notNpy, "{\"json\": true}");
        assertTrue(assertThrows(IOException.class, () -> Npy.read(notNpy)).getMessage().contains("not a NumPy"));

        Path fortran = dir.resolve("fortran.npy");
        Npy.write(fortran, new double[4], 2, 2);
        String patched = new String(Files.readAllBytes(fortran), StandardCharsets.ISO_8859_1)
                .replace("'fortran_order': False", "'fortran_order': True ");
        Files.write(fortran, patched.getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(assertThrows(IOException.class, () -> Npy.read(fortran)).getMessage().contains("Fortran order"));

        assertThrows(IllegalArgumentException.class, () -> Npy.write(dir.resolve("bad.npy"), new double[5], 2, 3));
    }

    @Test
    void writeReplacesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("r.npy");
        Npy.write(file, new double[] {1, 2}, 2);
        Npy.write(file, new double[] {3, 4, 5}, 3);
        assertArrayEquals(new double[] {3, 4, 5}, Npy.read(file).data());
        try (var entries = Files.list(dir)) {
            assertEquals(List.of(file), entries.toList());
        }
    }

    /**
     * numpy itself reads what we write and writes what we read. Skipped only where python3 or numpy is missing;
     * once numpy imports, any disagreement fails the test (in CI and locally alike).
     */
    @Test
    void numpyAgreesInBothDirections() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        boolean numpyPresent = Files.isExecutable(python) && run(python.toString(), "-c", "import numpy").exitCode == 0;
        assumeTrue(numpyPresent, "python3 with numpy is not installed; skipping the numpy cross-check");

        float[] floats = new float[2 * 3 * 4];
        for (int i = 0; i < floats.length; i++) floats[i] = 0.5f * i - 3;
        Npy.write(dir.resolve("j32.npy"), floats, 2, 3, 4);
        double[] doubles = {Math.PI, -Math.E, 1e-300, 7};
        Npy.write(dir.resolve("j64.npy"), doubles, 4);
        Npy.write(dir.resolve("jscalar.npy"), new double[] {2.5});
        Npy.write(dir.resolve("ji8.npy"), new long[] {1L << 60, -3}, 1, 2);

        String script = String.join("\n",
                "import numpy, sys, os",
                "d = sys.argv[1]",
                "for n in ['j32', 'j64', 'jscalar', 'ji8']:",
                "    a = numpy.load(os.path.join(d, n + '.npy'))",
                "    print(n, a.dtype.str, list(a.shape), repr(float(a.astype(numpy.float64).sum())))",
                "numpy.save(os.path.join(d, 'p32.npy'), numpy.arange(6, dtype='<f4').reshape(3, 2) / 4)",
                "numpy.save(os.path.join(d, 'p64.npy'), numpy.linspace(0, 1, 5))",
                "numpy.save(os.path.join(d, 'pi8.npy'), numpy.array([[2**62, -5]], dtype='<i8'))");
        Result result = run(python.toString(), "-c", script, dir.toString());
        assertEquals(0, result.exitCode, "numpy failed to load files written by Npy:\n" + result.output);
        List<String> lines = result.output.strip().lines().toList();
        double floatSum = 0;
        for (float f : floats) floatSum += f;
        assertEquals(4, lines.size(), result.output);
        assertNumpyLine(lines.get(0), "j32 <f4 [2, 3, 4]", floatSum);
        assertNumpyLine(lines.get(1), "j64 <f8 [4]", Math.PI + -Math.E + 1e-300 + 7);
        assertNumpyLine(lines.get(2), "jscalar <f8 []", 2.5);
        assertNumpyLine(lines.get(3), "ji8 <i8 [1, 2]", (double) ((1L << 60) - 3));

        Npy.NpyFloats p32 = Npy.readFloats(dir.resolve("p32.npy"));
        assertArrayEquals(new int[] {3, 2}, p32.shape());
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, p32.data());
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1}, Npy.read(dir.resolve("p64.npy")).data());
        assertArrayEquals(new long[] {1L << 62, -5}, Npy.readLongs(dir.resolve("pi8.npy")).data());
    }

    /** numpy prints "name dtype [shape] sum"; Python's repr of the sum parses exactly as a Java double. */
    private static void assertNumpyLine(String line, String expectedPrefix, double expectedSum) {
        int lastSpace = line.lastIndexOf(' ');
        assertEquals(expectedPrefix, line.substring(0, lastSpace));
        assertEquals(expectedSum, Double.parseDouble(line.substring(lastSpace + 1)), 1e-12 * Math.abs(expectedSum));
    }

    private record Result(int exitCode, String output) {}

    private static Result run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, output + "\n(timed out)");
        }
        return new Result(process.exitValue(), output);
    }
}
