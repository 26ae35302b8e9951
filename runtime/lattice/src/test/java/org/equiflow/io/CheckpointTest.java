package org.equiflow.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.equiflow.io.CheckpointException.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    private static final String SCRIPT = "theory T = phi4(lattice = [8, 8], m2 = -4.0, lambda = 8.0)\n"
            + "flow realnvp(depth: int = 2) for T { prior normal(sigma = 1.0) }\n";

    @TempDir
    Path dir;

    /** Values chosen to catch any lossy conversion: subnormals, signed zero, NaN payload, extremes. */
    private static Checkpoint.Contents contents(long trainingStep) {
        Map<String, double[]> parameters = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Map<String, double[]> first = new LinkedHashMap<>();
        Map<String, double[]> second = new LinkedHashMap<>();
        parameters.put("layer1.weight", new double[] {0.1, -0.0, Double.MIN_VALUE, Double.MAX_VALUE,
                Double.longBitsToDouble(0x7ff8000000000123L), 1.0 / 3, Math.PI, -1e-310});
        shapes.put("layer1.weight", new int[] {2, 1, 2, 2});
        parameters.put("layer0.bias", new double[] {1, 2, 3});
        shapes.put("layer0.bias", new int[] {3});
        parameters.put("scale", new double[] {0.5});
        shapes.put("scale", new int[] {});
        parameters.forEach((name, values) -> {
            first.put(name, Arrays.stream(values).map(v -> v * 1e-3).toArray());
            second.put(name, Arrays.stream(values).map(v -> v * v).toArray());
        });
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", -12.25);
        metrics.put("ess", 0.61);
        metrics.put("grad_norm", Double.POSITIVE_INFINITY);
        return Checkpoint.Contents.of(SCRIPT, "realnvp", "T", List.of(8, 8), "f64", 42L, trainingStep, parameters,
                shapes, new Checkpoint.AdamState((int) trainingStep, first, second, 1e-3, 0.9, 0.999, 1e-8), metrics);
    }

    @Test
    void roundTripIsBitExactAndKeepsOrder() throws IOException {
        Checkpoint.Contents saved = contents(500);
        Path file = dir.resolve("model.ckpt");
        Checkpoint.save(file, saved);
        Checkpoint.Contents loaded = Checkpoint.load(file);

        assertEquals(Checkpoint.FORMAT_VERSION, loaded.formatVersion());
        assertEquals(SCRIPT, loaded.scriptText());
        assertEquals(saved.scriptSha256(), loaded.scriptSha256());
        assertEquals("realnvp", loaded.flowName());
        assertEquals("T", loaded.theoryName());
        assertEquals(List.of(8, 8), loaded.lattice());
        assertEquals("f64", loaded.dtype());
        assertEquals(42L, loaded.seed());
        assertEquals(500L, loaded.trainingStep());
        assertEquals(List.copyOf(saved.parameters().keySet()), List.copyOf(loaded.parameters().keySet()));
        for (String name : saved.parameters().keySet()) {
            assertBitsEqual(saved.parameters().get(name), loaded.parameters().get(name));
            assertBitsEqual(saved.adam().firstMoments().get(name), loaded.adam().firstMoments().get(name));
            assertBitsEqual(saved.adam().secondMoments().get(name), loaded.adam().secondMoments().get(name));
            assertArrayEquals(saved.parameterShapes().get(name), loaded.parameterShapes().get(name));
        }
        assertEquals(500, loaded.adam().step());
        assertEquals(1e-3, loaded.adam().learningRate());
        assertEquals(0.9, loaded.adam().beta1());
        assertEquals(0.999, loaded.adam().beta2());
        assertEquals(1e-8, loaded.adam().eps());
        assertEquals(saved.metrics(), loaded.metrics());
    }

    private static void assertBitsEqual(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]), "index " + i);
        }
    }

    @Test
    void truncationAnywhereIsRefusedAsTruncated() throws IOException {
        Path good = dir.resolve("good.ckpt");
        Checkpoint.save(good, contents(1));
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.ckpt");
        // Inside the magic, inside the preamble, inside the header, inside the payload, inside the checksum.
        for (int length : new int[] {0, 3, 8, 20, 100, bytes.length - 200, bytes.length - 32, bytes.length - 1}) {
            Files.write(cut, Arrays.copyOf(bytes, length));
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(cut));
            assertEquals(Problem.TRUNCATED, e.problem(), "cut at " + length + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(length == 0 ? "is empty" : "is truncated: it has " + length + " bytes"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("retrain"), e.getMessage());
        }
    }

    @Test
    void flippedPayloadByteIsRefusedByChecksum() throws IOException {
        Path file = dir.resolve("flip.ckpt");
        Checkpoint.save(file, contents(1));
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 32 - 17] ^= 0x10;
        Files.write(file, bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(file));
        assertEquals(Problem.CORRUPTED, e.problem());
        assertTrue(e.getMessage().contains("the file was modified or corrupted"), e.getMessage());
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
    }

    @Test
    void editedHeaderIsRefusedByChecksum() throws IOException {
        Path file = dir.resolve("edited.ckpt");
        Checkpoint.save(file, contents(1));
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        Files.write(file, text.replace("\"flow\":\"realnvp\"", "\"flow\":\"realnvq\"")
                .getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(Problem.CORRUPTED,
                assertThrows(CheckpointException.class, () -> Checkpoint.load(file)).problem());
    }

    @Test
    void otherFilesAndNewerFormatsAreRefused() throws IOException {
        Path npy = dir.resolve("ensemble.npy");
        Npy.write(npy, new double[] {1, 2}, 2);
        CheckpointException notCheckpoint = assertThrows(CheckpointException.class, () -> Checkpoint.load(npy));
        assertEquals(Problem.NOT_A_CHECKPOINT, notCheckpoint.problem());
        assertTrue(notCheckpoint.getMessage().contains("is not an equiflow checkpoint"));

        Path newer = dir.resolve("newer.ckpt");
        Checkpoint.save(newer, contents(1));
        byte[] bytes = Files.readAllBytes(newer);
        bytes[8] = (byte) (Checkpoint.FORMAT_VERSION + 1);
        Files.write(newer, bytes);
        CheckpointException newerFormat = assertThrows(CheckpointException.class, () -> Checkpoint.load(newer));
        assertEquals(Problem.NEWER_FORMAT, newerFormat.problem());
        assertTrue(newerFormat.getMessage().contains("upgrade equiflow"), newerFormat.getMessage());

        CheckpointException missing = assertThrows(CheckpointException.class,
                () -> Checkpoint.load(dir.resolve("absent.ckpt")));
        assertEquals(Problem.UNREADABLE, missing.problem());
    }

    @Test
    void headerMissingAFieldIsRefusedAsMalformed() throws IOException {
        // Hand-craft a file with a valid checksum whose header lacks "flow", as another tool might write it.
        Path file = dir.resolve("foreign.ckpt");
        Checkpoint.save(file, contents(1));
        byte[] bytes = Files.readAllBytes(file);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int headerLength = in.getInt(12);
        String header = new String(bytes, 24, headerLength, StandardCharsets.UTF_8);
        byte[] newHeader = header.replace("\"flow\":\"realnvp\",", "").getBytes(StandardCharsets.UTF_8);
        byte[] payload = Arrays.copyOfRange(bytes, 24 + headerLength, bytes.length - 32);
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(24 + newHeader.length + payload.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.put(bytes, 0, 12).putInt(newHeader.length).putLong(payload.length).put(newHeader).put(payload);
        byte[] body = out.array();
        byte[] checksum;
        try {
            checksum = java.security.MessageDigest.getInstance("SHA-256").digest(body);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        Files.write(file, body);
        Files.write(file, checksum, java.nio.file.StandardOpenOption.APPEND);

        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(file));
        assertEquals(Problem.MALFORMED, e.problem());
        assertTrue(e.getMessage().contains("lacks the field 'flow'"), e.getMessage());
    }

    @Test
    void verifyMatchesNamesEveryDifferenceAndTheWayOut() throws IOException {
        Checkpoint.Contents checkpoint = contents(1);
        Checkpoint.verifyMatches(checkpoint, SCRIPT, "realnvp", List.of(8, 8));

        String otherScript = SCRIPT.replace("m2 = -4.0", "m2 = -3.0");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Checkpoint.verifyMatches(checkpoint, otherScript, "nice", List.of(16, 16)));
        assertEquals(Problem.MISMATCH, e.problem());
        String message = e.getMessage();
        assertTrue(message.contains(checkpoint.scriptSha256()), message);
        assertTrue(message.contains(Checkpoint.sha256Hex(otherScript)), message);
        assertTrue(message.contains("'realnvp'") && message.contains("'nice'"), message);
        assertTrue(message.contains("[8, 8]") && message.contains("[16, 16]"), message);
        assertTrue(message.contains("retrain") && message.contains("equiflow script"), message);

        Path file = dir.resolve("m.ckpt");
        Checkpoint.save(file, checkpoint);
        Path extracted = dir.resolve("extracted.flow");
        Checkpoint.extractScript(file, extracted);
        assertEquals(SCRIPT, Files.readString(extracted));
    }

    /** The run's provenance round-trips, and a mismatch names the theory parameter and the --set that restores it. */
    @Test
    void provenanceRoundTripsAndAMismatchNamesTheParameter() throws IOException {
        var trained = new Checkpoint.Provenance("a".repeat(64), Map.of("T.m2", "-3.5"),
                new LinkedHashMap<>(Map.of("T.lattice", "[8,8]", "T.m2", "-3.5")), Map.of("seed", "5", "lr", "0.002"));
        Path file = dir.resolve("model.ckpt");
        Checkpoint.save(file, contents(7).withProvenance(trained));
        var loaded = Checkpoint.load(file);
        assertEquals(trained, loaded.provenance());

        // Same identity, another script text (a comment added): accepted.
        Checkpoint.verifyMatches(loaded, trained, "// a comment\n" + SCRIPT, "realnvp", List.of(8, 8));
        var thisRun = new Checkpoint.Provenance("b".repeat(64), Map.of(), Map.of("T.lattice", "[8,8]", "T.m2", "-4.0"), Map.of());
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Checkpoint.verifyMatches(loaded, thisRun, SCRIPT, "realnvp", List.of(8, 8)));
        assertTrue(e.getMessage().contains("theory parameter T.m2: checkpoint -3.5, this run -4.0 — pass `--set T.m2=-3.5`"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("T.lattice"), e.getMessage());
    }

    /** A checkpoint written before provenance existed (format 1) still loads, matched by the script's hash. */
    @Test
    void aFormatOneCheckpointStillLoads() throws IOException, java.security.NoSuchAlgorithmException {
        Path file = dir.resolve("old.ckpt");
        Checkpoint.save(file, contents(3));
        byte[] bytes = Files.readAllBytes(file);
        bytes[8] = 1;
        var digest = java.security.MessageDigest.getInstance("SHA-256");
        digest.update(bytes, 0, bytes.length - 32);
        System.arraycopy(digest.digest(), 0, bytes, bytes.length - 32, 32);
        Files.write(file, bytes);
        var loaded = Checkpoint.load(file);
        assertEquals(1, loaded.formatVersion());
        assertEquals(null, loaded.provenance());
        var run = new Checkpoint.Provenance("c".repeat(64), Map.of(), Map.of(), Map.of());
        Checkpoint.verifyMatches(loaded, run, SCRIPT, "realnvp", List.of(8, 8));
        assertThrows(CheckpointException.class, () -> Checkpoint.verifyMatches(loaded, run, SCRIPT + "\n", "realnvp", List.of(8, 8)));
    }

    @Test
    void failedSaveLeavesThePreviousCheckpointIntact() throws IOException {
        Path file = dir.resolve("model.ckpt");
        Checkpoint.save(file, contents(100));
        byte[] before = Files.readAllBytes(file);

        IOException failure = assertThrows(IOException.class,
                () -> Checkpoint.save(file, contents(200), out -> new FailAfter(out, 300)));
        assertEquals("simulated disk failure", failure.getMessage());

        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(100L, Checkpoint.load(file).trainingStep());
        try (var entries = Files.list(dir)) {
            assertEquals(List.of(file), entries.toList(), "the partial temporary file must be removed");
        }
    }

    @Test
    void inconsistentContentsAreRejectedBeforeAnythingIsWritten() {
        Checkpoint.Contents good = contents(1);
        Map<String, int[]> wrongShapes = new LinkedHashMap<>(good.parameterShapes());
        wrongShapes.put("layer0.bias", new int[] {4});
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.Contents.of(SCRIPT, "realnvp", "T",
                List.of(8, 8), "f64", 1, 1, good.parameters(), wrongShapes, good.adam(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint.Contents(1, SCRIPT, "0".repeat(64),
                "realnvp", "T", List.of(8, 8), "f64", 1, 1, good.parameters(), good.parameterShapes(), good.adam(),
                Map.of(), null));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.Contents.of(SCRIPT, "realnvp", "T",
                List.of(8, 8), "bf16", 1, 1, good.parameters(), good.parameterShapes(), good.adam(), Map.of()));
    }

    /** Passes the first {@code limit} bytes through, then fails like a full disk. */
    private static final class FailAfter extends FilterOutputStream {
        private long remaining;

        FailAfter(OutputStream out, long limit) {
            super(out);
            this.remaining = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (length > remaining) {
                out.write(bytes, offset, (int) remaining);
                remaining = 0;
                throw new IOException("simulated disk failure");
            }
            out.write(bytes, offset, length);
            remaining -= length;
        }
    }
}
